"""Section 5, experiments E5.3-E5.5: the learners of a step-function target,
as experiments/sec5_flat/flat_training.cc builds them (make_flat_model):
  EndToEndNetwork     (E5.3) Mlp({d, h, h, h, 1}), squared loss mean (out - y)^2;
  MulticlassNetwork   (E5.4) Mlp({d, h, h, K}), softmax cross-entropy on the
                      index of the step of r;
  StepUnit            (E5.5) Mlp({d, 1}) = w^T x + b, prediction u(p), loss
                      mean (u(p) - y)^2, the backward message through u the
                      identity (the script's p + stop_gradient(u(p) - p)).
Adam as TensorFlow 1 (common.AdamTf1), beta1 0.9, beta2 0.99, eps 1e-5."""
import torch

from common import Mlp


class EndToEndNetwork(torch.nn.Module):
    """EndToEndNetwork of flat_training.cc."""

    def __init__(self, d=100, h=100):
        super().__init__()
        self.mlp = Mlp([d, h, h, h, 1])

    def forward(self, x):
        return self.mlp(x)

    def loss(self, out, batch):
        return ((out - batch["y"]) ** 2).mean()

    def named_parameters(self, *args, **kwargs):
        return self.mlp.named_parameters(*args, **kwargs)


class MulticlassNetwork(torch.nn.Module):
    """MulticlassNetwork of flat_training.cc (K = 100 logits for the
    script's thresholds)."""

    def __init__(self, d=100, h=100, k=100):
        super().__init__()
        self.mlp = Mlp([d, h, h, k])

    def forward(self, x):
        return self.mlp(x)

    def loss(self, out, batch):
        return torch.nn.functional.cross_entropy(out, batch["label"])

    def named_parameters(self, *args, **kwargs):
        return self.mlp.named_parameters(*args, **kwargs)


class StepUnit(torch.nn.Module):
    """StepUnit(forward_only = true) of flat_training.cc: u(w^T x + b), with
    u(p) = z[largest i with z_i <= p] (z_0 below every z_i: index 0)."""

    def __init__(self, z, d=100):
        super().__init__()
        self.mlp = Mlp([d, 1])
        self.z = z  # float64 thresholds, sorted

    def forward(self, x):
        return self.mlp(x)

    def u(self, p):
        i = torch.searchsorted(self.z, p.detach().double(), right=True) - 1
        return self.z[i.clamp(min=0)].float()

    def loss(self, out, batch):
        # p + stop_gradient(u(p) - p): the value u(p), the gradient of p.
        up = out + (self.u(out) - out).detach()
        return ((up - batch["y"]) ** 2).mean()

    def named_parameters(self, *args, **kwargs):
        return self.mlp.named_parameters(*args, **kwargs)
