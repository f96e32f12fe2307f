"""The answer key: pure-numpy reference solutions, one module per lecture topic.

``from reference import affine_forward`` works for every public name of every module (each
module lists its names in ``__all__``). Conventions: docs/contracts.md §1.
"""

from .linear_regression import *  # noqa: F401,F403
from .knn import *  # noqa: F401,F403
from .linear_classifiers import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403
from .adversarial import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .cnn import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
