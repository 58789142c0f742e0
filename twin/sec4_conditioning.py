"""Section 4.1, experiments E4.1.1-E4.1.4: the four learners of a
piecewise-linear curve's encoding, as
experiments/sec4_conditioning/pwl_encoders.cc builds them (make_pwl_model):
  FullyConnected  (E4.1.1) p_hat = f U^T, U [n, n]; loss mean over the batch
                  of sum_j (p_hat - p)_j^2;
  Conv            (E4.1.2, E4.1.3) p_hat_t = q_t M w, q_t = [f_{t-2},
                  f_{t-1}, f_t] with f_{-1} = f_{-2} = 0: a 3-tap
                  convolution (torch's conv1d, padded by 2 at the front) of
                  the filter v = M w; M = I (conv) or the whitening map
                  C^{-1/2} (conv_whitened); loss mean of (p_hat - p)^2;
  AutoEncoder     (E4.1.4) Mlp n -> 500 -> 100 -> 2k -> 100 -> 100 -> n, a
                  ReLU after every layer but the code layer (the paper) and
                  the last; loss mean of (out - f)^2.
Adam as TensorFlow 1 (common.AdamTf1) with the scripts' learning rates."""
import torch

from common import Mlp


class FullyConnected(torch.nn.Module):
    """FullyConnected of pwl_encoders.cc."""

    def __init__(self, n=100):
        super().__init__()
        self.U = torch.nn.Parameter(torch.zeros(n, n))

    def forward(self, f):
        return f @ self.U.t()

    def loss(self, out, batch):
        return ((out - batch["p"]) ** 2).sum() / out.shape[0]


class Conv(torch.nn.Module):
    """Conv of pwl_encoders.cc: M = I (conv) or C^{-1/2} (conv_whitened)."""

    def __init__(self, M=None):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(3))
        self.M = torch.eye(3) if M is None else M

    def forward(self, f):
        v = self.M @ self.w  # the filter on the raw patches
        x = torch.nn.functional.pad(f, (2, 0)).unsqueeze(1)  # [B, 1, n + 2]
        return torch.nn.functional.conv1d(x, v.reshape(1, 1, 3)).squeeze(1)

    def loss(self, out, batch):
        return ((out - batch["p"]) ** 2).mean()


class AutoEncoder(torch.nn.Module):
    """AutoEncoder of pwl_encoders.cc (relu_code = false, the paper's linear
    code layer)."""

    def __init__(self, n=100, k=3, relu_code=False):
        super().__init__()
        self.mlp = Mlp([n, 500, 100, 2 * k, 100, 100, n], [True, True, relu_code, True, True, False])

    def forward(self, f):
        return self.mlp(f)

    def loss(self, out, batch):
        return ((out - batch["f"]) ** 2).mean()

    def named_parameters(self, *args, **kwargs):
        return self.mlp.named_parameters(*args, **kwargs)


def decode(model, out):
    """PwlModel::decode in float64: for the linear encoders W p_hat, two
    cumulative sums (curve_from_encoding); for the autoencoder its output."""
    if isinstance(model, AutoEncoder):
        return out.double()
    return torch.cumsum(torch.cumsum(out.double(), dim=1), dim=1)
