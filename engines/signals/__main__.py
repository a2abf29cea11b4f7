from engines.signals.engine import SignalEngine
from engines.toolkit import serve

serve(SignalEngine())
