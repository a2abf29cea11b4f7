from engines.faces.engine import FaceEngine
from engines.toolkit import serve

serve(FaceEngine())
