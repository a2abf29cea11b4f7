from engines.keywords.engine import KeywordEngine
from engines.toolkit import serve

serve(KeywordEngine())
