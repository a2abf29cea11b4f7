from engines.text.engine import TextEngine
from engines.toolkit import serve

serve(TextEngine())
