from engines.shots.engine import ShotEngine
from engines.toolkit import serve

serve(ShotEngine())
