"""RFM scoring and segment maps — the same objects as :mod:`clientlib.frameworks.rfm`.

RFM is a framework like the others and lives with them; this module keeps the short import
path (``from clientlib import rfm``) that lessons and scripts use.
"""

from clientlib.frameworks.rfm import *  # noqa: F403
from clientlib.frameworks.rfm import __all__  # noqa: F401
