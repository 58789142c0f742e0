"""Section 2: the parity network of experiment E2.1, as the package's
ParityTrainer builds it (experiments/sec2_parity/parity_training.h): the
MlpModel Mlp({d, 10 d, 1}) with lib/nn/loss.h's hinge_loss, plain SGD; and
the training network of Theorem 2's run, as T2Trainer builds it
(experiments/sec2_parity/t2_linear_periodic_lib.h): the MlpModel Mlp({d,
width, 1}) with lib/nn/loss.h's squared_loss, plain SGD."""
import torch

from common import Mlp


class ParityNetwork(torch.nn.Module):
    """MlpModel(Mlp({d, 10 d, 1}), hinge_loss) of parity_training.cc."""

    def __init__(self, d, width_factor=10):
        super().__init__()
        self.mlp = Mlp([d, width_factor * d, 1])

    def forward(self, x):
        return self.mlp(x)

    def named_parameters(self, *args, **kwargs):  # the package's names: W1, b1, ...
        return self.mlp.named_parameters(*args, **kwargs)


def hinge_loss(score, y):
    """lib/nn/loss.h hinge_loss: (1/B) sum max(0, 1 - y score); relu's
    gradient at the kink is 0, as the package's (TensorFlow's)."""
    return torch.relu(1 - y * score).sum() / score.shape[0]


class T2Network(torch.nn.Module):
    """MlpModel(Mlp({d, width, 1}), squared_loss) of T2Trainer
    (t2_linear_periodic_lib.cc): one ReLU layer, a linear output."""

    def __init__(self, d, width):
        super().__init__()
        self.mlp = Mlp([d, width, 1])

    def forward(self, x):
        return self.mlp(x)

    def named_parameters(self, *args, **kwargs):  # the package's names: W1, b1, ...
        return self.mlp.named_parameters(*args, **kwargs)


def squared_loss(score, y):
    """lib/nn/loss.h squared_loss: (1/B) sum (score - y)^2 / 2."""
    return ((score - y) ** 2).sum() / (2 * score.shape[0])
