"""Gradient records of ``minitensor.nn.functional`` (issue 12): one ``NNRecord``
per public differentiable function, driving ``tests/test_nn_gradcheck.py``.

A record carries the function, a deterministic float64 sample generator
(``sample(rng) -> positional args``; NumPy arrays become tensors, anything else
is passed as is), the positions of the differentiated arguments, kwargs
variants and the ``torch.nn.functional`` counterpart. Every recorded function
is twice-differentiable: each record is checked to first and second order.

``RECORDS`` (empty) keeps ``op_records``' ``records_*.py`` gathering working;
the nn records are ``NN_RECORDS``.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

import minitensor as xp
import minitensor.nn.functional as F

RECORDS = []  # op_records.OpRecord list: none (these records are NNRecord)

# public functions with no gradient to check (name -> why)
NON_DIFFERENTIABLE = {
    "one_hot": "integer output",
}


@dataclass(frozen=True)
class Variant:
    id: str
    kwargs: dict = field(default_factory=dict)
    none: tuple = ()                   # positional args replaced by None (e.g. bias)
    sample: Optional[Callable] = None  # overrides the record's sample (other shapes)
    fd: bool = True                    # False: the gradient is not the derivative by design
    torch_second: str = ""             # why the second order is not compared with torch


def V(id=None, *, none=(), sample=None, fd=True, torch_second="", **kwargs):
    """A kwargs variant; ``none``: positions of the sample passed as None."""
    if id is None:
        parts = [f"{k}={v!r}" if not isinstance(v, np.ndarray) else f"{k}=array"
                 for k, v in kwargs.items()]
        parts += [f"arg{i}=None" for i in none]
        id = ",".join(parts) or "default"
    return Variant(id, dict(kwargs), tuple(none), sample, fd, torch_second)


@dataclass(frozen=True)
class NNRecord:
    name: str                 # minitensor.nn.functional.<name>
    fn: Callable              # the function (or a deterministic wrapper of it)
    sample: Callable          # sample(rng) -> tuple of positional args
    diff: tuple               # positions of the differentiated args
    variants: tuple = (V(),)
    torch: Optional[str] = None  # torch.nn.functional.<torch>; None: no comparison
    torch_why: str = ""       # why there is no torch comparison
    seed: int = 0

    def args(self, variant):
        rng = np.random.RandomState(self.seed)
        args = list((variant.sample or self.sample)(rng))
        for i in variant.none:
            args[i] = None
        return args

    def diff_positions(self, variant):
        return tuple(i for i in self.diff if i not in variant.none)


# ---------------------------------------------------------------- sample helpers
def away(rng, shape, kinks=(0.0,), lo=-2.0, hi=2.0, gap=0.15):
    """Uniform values on [lo, hi] at least ``gap`` away from every kink."""
    x = rng.uniform(lo, hi, shape)
    for _ in range(3):
        for k in kinks:
            d = x - k
            near = np.abs(d) < gap
            x = np.where(near, k + np.where(d >= 0, 1.0, -1.0) * (gap + np.abs(d)), x)
    return x


def distinct(rng, shape, step=0.25):
    """Distinct values (no ties in max pooling), shuffled."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * step - n * step / 2 + 0.1).reshape(shape)


def normal(rng, *shape):
    return rng.standard_normal(shape)


def seeded(fn, seed=1234):
    """``fn`` with the global generator reseeded at every call (dropout: the same
    mask for every finite-difference evaluation)."""
    def call(*args, **kwargs):
        xp.manual_seed(seed)
        return fn(*args, **kwargs)
    call.__name__ = fn.__name__
    return call


def R(name, sample, diff, variants=(V(),), torch="same", **kw):
    return NNRecord(name, kw.pop("fn", getattr(F, name)), sample, tuple(diff), tuple(variants),
                    name if torch == "same" else torch, **kw)


def _act(name, kinks=(), variants=(V(),), lo=-2.0, hi=2.0, **kw):
    return R(name, lambda rng: (away(rng, (2, 3), kinks or (100.0,), lo, hi),), (0,), variants,
             **kw)


REDUCTIONS = (V(reduction="mean"), V(reduction="sum"), V(reduction="none"))


def _pair(rng, shape=(2, 3), kinks=None):
    t = normal(rng, *shape)
    d = normal(rng, *shape) if kinks is None else away(rng, shape, kinks)
    return t + d, t


def _probs(rng, shape, axis=-1):
    e = np.exp(normal(rng, *shape))
    return e / e.sum(axis=axis, keepdims=True)


# ------------------------------------------------------------------------ records
NN_RECORDS = [
    # linear
    R("linear", lambda r: (normal(r, 2, 3), normal(r, 4, 3), normal(r, 4)), (0, 1, 2),
      (V(), V(none=(2,)), V("3d-input", sample=lambda r: (normal(r, 2, 2, 3), normal(r, 4, 3),
                                                           normal(r, 4))))),
    R("bilinear", lambda r: (normal(r, 2, 3), normal(r, 2, 2), normal(r, 2, 3, 2), normal(r, 2)),
      (0, 1, 2, 3), (V(), V(none=(3,)))),
    # activations
    _act("relu", (0.0,)),
    _act("relu6", (0.0, 6.0), lo=-2.0, hi=8.0),
    _act("leaky_relu", (0.0,), (V(), V(negative_slope=0.2))),
    _act("gelu", (), (V(), V(approximate="tanh"))),
    _act("silu"),
    _act("sigmoid"),
    _act("tanh"),
    _act("elu", (0.0,), (V(), V(alpha=0.5))),
    _act("selu", (0.0,)),
    _act("celu", (0.0,), (V(), V(alpha=0.5))),
    _act("softplus", (1.5,), (V(), V(beta=2.0, threshold=3.0))),
    _act("hardtanh", (-1.0, 1.0, -0.5), (V(), V(min_val=-0.5, max_val=1.5)), lo=-2.5, hi=2.5),
    _act("logsigmoid"),
    _act("mish"),
    _act("hardsigmoid", (-3.0, 3.0), lo=-4.0, hi=4.0),
    _act("hardswish", (-3.0, 3.0), lo=-4.0, hi=4.0),
    _act("softsign", (0.0,)),
    R("prelu", lambda r: (away(r, (2, 3, 2)), np.array([0.25, -0.1, 0.5])), (0, 1),
      (V(), V("shared-weight", sample=lambda r: (away(r, (2, 3, 2)), np.array([0.3]))))),
    R("softmax", lambda r: (normal(r, 2, 3),), (0,), (V(dim=1), V(dim=0))),
    R("log_softmax", lambda r: (normal(r, 2, 3),), (0,), (V(dim=1), V(dim=0))),
    R("softmin", lambda r: (normal(r, 2, 3),), (0,), (V(dim=1), V(dim=0))),
    # dropout (reseeded: a fixed mask; torch draws other masks)
    R("dropout", lambda r: (normal(r, 2, 3),), (0,), (V(p=0.5), V(p=0.2)), torch=None,
      torch_why="random mask", fn=seeded(F.dropout)),
    R("dropout1d", lambda r: (normal(r, 2, 3, 2),), (0,), (V(p=0.5),), torch=None,
      torch_why="random mask", fn=seeded(F.dropout1d)),
    R("dropout2d", lambda r: (normal(r, 2, 3, 2, 1),), (0,), (V(p=0.5),), torch=None,
      torch_why="random mask", fn=seeded(F.dropout2d)),
    R("dropout3d", lambda r: (normal(r, 2, 3, 1, 2, 1),), (0,), (V(p=0.5),), torch=None,
      torch_why="random mask", fn=seeded(F.dropout3d)),
    # embedding, pad
    R("embedding", lambda r: (np.array([[0, 2, 4], [2, 1, 0]]), normal(r, 5, 3)), (1,),
      # padding_idx (no gradient to that row) and scale_grad_by_freq are not the
      # derivative: compared with torch only (first and second order)
      (V(), V(padding_idx=0, fd=False),
       # PyTorch 2.13's double backward of embedding drops the 1/count factor of
       # scale_grad_by_freq; ours keeps it (tests/test_nn_sequence_rules.py checks
       # it against finite differences)
       V(scale_grad_by_freq=True, fd=False,
         torch_second="torch's embedding double backward ignores scale_grad_by_freq"))),
    R("pad", lambda r: (normal(r, 2, 3),), (0,),
      (V(pad=(1, 2)), V(pad=(1, 0, 0, 1), value=0.5), V(pad=(-1, 1)),
       V(pad=(2, 1), mode="reflect"), V(pad=(1, 2), mode="replicate"),
       V(pad=(2, 1), mode="circular"))),
    # normalization
    R("batch_norm", lambda r: (normal(r, 2, 3, 2), normal(r, 3), r.uniform(0.5, 2.0, 3),
                               normal(r, 3), normal(r, 3)), (0, 3, 4),
      (V(training=True), V(training=False), V(training=True, none=(3, 4)),
       V(training=True, none=(1, 2)))),
    R("layer_norm", lambda r: (normal(r, 2, 3, 2), (3, 2), normal(r, 3, 2), normal(r, 3, 2)),
      (0, 2, 3), (V(), V(none=(2, 3)))),
    R("group_norm", lambda r: (normal(r, 2, 4, 2), 2, normal(r, 4), normal(r, 4)), (0, 2, 3),
      (V(), V(none=(2, 3)))),
    R("rms_norm", lambda r: (normal(r, 2, 3, 2), (2,), normal(r, 2)), (0, 2),
      (V(), V(eps=1e-3), V(none=(2,)))),
    R("normalize", lambda r: (away(r, (2, 3), (0.0,)),), (0,),
      (V(), V(p=1.0, dim=0), V(p=3.0))),
    # convolution
    R("conv1d", lambda r: (normal(r, 2, 2, 5), normal(r, 3, 2, 2), normal(r, 3)), (0, 1, 2),
      (V(), V(none=(2,)), V(stride=2, padding=1), V(dilation=2),
       V(padding="same", sample=lambda r: (normal(r, 2, 2, 4), normal(r, 2, 2, 3), normal(r, 2))),
       V(groups=2, sample=lambda r: (normal(r, 2, 2, 4), normal(r, 2, 1, 2), normal(r, 2))))),
    R("conv2d", lambda r: (normal(r, 2, 2, 4, 3), normal(r, 2, 2, 2, 2), normal(r, 2)),
      (0, 1, 2),
      (V(), V(none=(2,)), V(stride=2, padding=1), V(dilation=(2, 1)),
       V(padding="same", sample=lambda r: (normal(r, 2, 1, 3, 3), normal(r, 2, 1, 3, 1),
                                           normal(r, 2))),
       V(groups=2, sample=lambda r: (normal(r, 2, 2, 3, 3), normal(r, 2, 1, 2, 2),
                                     normal(r, 2))))),
    R("conv_transpose1d", lambda r: (normal(r, 2, 2, 3), normal(r, 2, 3, 2), normal(r, 3)),
      (0, 1, 2),
      (V(), V(none=(2,)), V(stride=2, padding=1, output_padding=1), V(dilation=2),
       V(groups=2, sample=lambda r: (normal(r, 2, 2, 3), normal(r, 2, 1, 2), normal(r, 2))))),
    R("conv_transpose2d", lambda r: (normal(r, 2, 2, 2, 3), normal(r, 2, 2, 2, 2), normal(r, 2)),
      (0, 1, 2),
      (V(), V(none=(2,)), V(stride=2, padding=1, output_padding=1), V(dilation=(1, 2)),
       V(groups=2, stride=(1, 2), output_padding=(0, 1),
         sample=lambda r: (normal(r, 2, 2, 2, 3), normal(r, 2, 2, 2, 1), normal(r, 4))))),
    # pooling (distinct values: no ties)
    R("max_pool1d", lambda r: (distinct(r, (2, 2, 6)),), (0,),
      (V(kernel_size=2), V(kernel_size=3, stride=2, padding=1), V(kernel_size=2, dilation=2),
       V(kernel_size=2, stride=2, ceil_mode=True,
         sample=lambda r: (distinct(r, (2, 2, 5)),)))),
    R("max_pool2d", lambda r: (distinct(r, (2, 1, 4, 4)),), (0,),
      (V(kernel_size=2), V(kernel_size=3, stride=1, padding=1), V(kernel_size=2, dilation=2),
       V(kernel_size=(2, 3), stride=2, padding=(1, 1), ceil_mode=True,
         sample=lambda r: (distinct(r, (2, 2, 5, 4)),)))),
    R("avg_pool1d", lambda r: (normal(r, 2, 2, 5),), (0,),
      (V(kernel_size=2), V(kernel_size=3, stride=2, padding=1),
       V(kernel_size=3, stride=2, padding=1, count_include_pad=False),
       V(kernel_size=2, ceil_mode=True))),
    R("avg_pool2d", lambda r: (normal(r, 2, 1, 4, 4),), (0,),
      (V(kernel_size=2), V(kernel_size=3, stride=1, padding=1, count_include_pad=False),
       V(kernel_size=2, divisor_override=3),
       V(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True, count_include_pad=False,
         sample=lambda r: (normal(r, 2, 2, 5, 4),)))),
    R("adaptive_avg_pool1d", lambda r: (normal(r, 2, 2, 5),), (0,),
      (V(output_size=3), V(output_size=1))),
    R("adaptive_avg_pool2d", lambda r: (normal(r, 2, 1, 5, 4),), (0,),
      (V(output_size=(3, 2)), V(output_size=2), V(output_size=1), V(output_size=(None, 1)))),
    # attention
    R("scaled_dot_product_attention",
      lambda r: (normal(r, 2, 3, 2), normal(r, 2, 4, 2), normal(r, 2, 4, 3)), (0, 1, 2),
      (V(), V(is_causal=True), V(scale=0.3),
       V("float-mask", attn_mask=np.random.RandomState(5).standard_normal((3, 4))),
       V("bool-mask", attn_mask=np.array([[1, 0, 1, 1], [0, 1, 0, 0], [1, 1, 1, 0]], bool)))),
    # losses and distances
    R("mse_loss", lambda r: _pair(r), (0, 1), REDUCTIONS),
    R("l1_loss", lambda r: _pair(r, kinks=(0.0,)), (0, 1), REDUCTIONS),
    R("smooth_l1_loss", lambda r: _pair(r, kinks=(-1.0, 1.0, -0.5, 0.5)), (0, 1),
      REDUCTIONS + (V(beta=0.5),)),
    R("huber_loss", lambda r: _pair(r, kinks=(-1.0, 1.0, -0.5, 0.5)), (0, 1),
      REDUCTIONS + (V(delta=0.5),)),
    R("cross_entropy", lambda r: (normal(r, 3, 4), np.array([0, 3, 1])), (0,),
      REDUCTIONS + (V(weight=np.array([0.5, 1.0, 2.0, 1.5])), V(ignore_index=3),
                    V(label_smoothing=0.1),
                    V("probability-target",
                      sample=lambda r: (normal(r, 3, 4), _probs(r, (3, 4)))),
                    V("k-dim", sample=lambda r: (normal(r, 2, 3, 2),
                                                 np.array([[0, 2], [1, 1]]))))),
    R("nll_loss", lambda r: (normal(r, 3, 4), np.array([0, 3, 1])), (0,),
      REDUCTIONS + (V(weight=np.array([0.5, 1.0, 2.0, 1.5])), V(ignore_index=3))),
    R("binary_cross_entropy", lambda r: (r.uniform(0.1, 0.9, (2, 3)), r.uniform(0, 1, (2, 3))),
      (0, 1), REDUCTIONS + (V(weight=np.array([0.5, 1.0, 2.0])),)),
    R("binary_cross_entropy_with_logits", lambda r: (normal(r, 2, 3), r.uniform(0, 1, (2, 3))),
      (0, 1), REDUCTIONS + (V(weight=np.array([0.5, 1.0, 2.0])),
                            V(pos_weight=np.array([2.0, 0.5, 1.0])))),
    R("kl_div", lambda r: (np.log(_probs(r, (2, 3))), _probs(r, (2, 3))), (0, 1),
      (V(reduction="batchmean"), V(reduction="sum"), V(reduction="none"),
       V(reduction="batchmean", log_target=True,
         sample=lambda r: (np.log(_probs(r, (2, 3))), np.log(_probs(r, (2, 3))))))),
    R("cosine_embedding_loss",
      lambda r: (normal(r, 3, 4), normal(r, 3, 4), np.array([1.0, -1.0, -1.0])), (0, 1),
      REDUCTIONS + (V(margin=-0.5),)),
    R("cosine_similarity", lambda r: (normal(r, 2, 3), normal(r, 2, 3)), (0, 1),
      (V(), V(dim=0))),
]

BY_NAME = {r.name: r for r in NN_RECORDS}

# ---- issue 13 (the PyTorch face): functionals composed of namespace operations and the
# functions above, so twice-differentiable through the existing rules
def _pm1(rng, *shape):
    return np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)


_FACE_RECORDS = [
    R("pairwise_distance", lambda r: (normal(r, 3, 4), normal(r, 3, 4)), (0, 1),
      (V(), V(p=1.0, eps=0.0), V(p=3.0, keepdim=True),
       V("broadcast", sample=lambda r: (normal(r, 3, 4), normal(r, 4))))),
    R("pixel_shuffle", lambda r: (normal(r, 2, 8, 2, 3), 2), (0,)),
    R("pixel_unshuffle", lambda r: (normal(r, 2, 2, 4, 6), 2), (0,)),
    R("interpolate", lambda r: (normal(r, 1, 2, 3, 4),), (0,),
      (V(scale_factor=2.0), V(size=(5, 7)), V(size=(5, 7), mode="bilinear"),
       V(scale_factor=1.7, mode="bilinear", align_corners=True),
       V(size=(2, 3), mode="nearest-exact"), V(size=(2, 3), mode="area"),
       V("linear", sample=lambda r: (normal(r, 2, 3, 5),), size=8, mode="linear"),
       V("trilinear", sample=lambda r: (normal(r, 1, 1, 2, 3, 2),), scale_factor=1.5,
         mode="trilinear"))),
    R("margin_ranking_loss",
      lambda r: (away(r, (5,), (0.0,)), np.zeros(5), np.array([1.0, -1.0, 1.0, -1.0, 1.0])),
      (0,), REDUCTIONS + (V(margin=0.0),)),
    R("hinge_embedding_loss", lambda r: (away(r, (2, 3), (1.0,)), _pm1(r, 2, 3)), (0,),
      REDUCTIONS + (V(margin=0.5),)),
    R("soft_margin_loss", lambda r: (normal(r, 2, 3), _pm1(r, 2, 3)), (0,), REDUCTIONS),
    R("multilabel_soft_margin_loss",
      lambda r: (normal(r, 3, 4), (r.uniform(size=(3, 4)) < 0.5).astype(float)), (0,),
      REDUCTIONS + (V(weight=np.array([0.5, 1.0, 2.0, 1.5])),)),
    R("multilabel_margin_loss",
      lambda r: (distinct(r, (3, 4), 0.37), np.array([[3, 0, -1, 1], [1, 2, 3, -1],
                                                       [0, -1, 2, 2]])), (0,),
      REDUCTIONS),
    R("poisson_nll_loss", lambda r: (normal(r, 2, 3), r.poisson(2.0, (2, 3)).astype(float)),
      (0,), REDUCTIONS + (V(full=True),
                          V("rate", sample=lambda r: (r.uniform(0.5, 2.0, (2, 3)),
                                                      r.poisson(2.0, (2, 3)).astype(float)),
                            log_input=False))),
    R("gaussian_nll_loss",
      lambda r: (normal(r, 3, 2), normal(r, 3, 2), r.uniform(0.5, 2.0, (3, 2))), (0, 1, 2),
      REDUCTIONS + (V(full=True),
                    V("var-missing-dim", sample=lambda r: (normal(r, 3, 2), normal(r, 3, 2),
                                                           r.uniform(0.5, 2.0, (3,)))))),
    R("triplet_margin_loss", lambda r: (normal(r, 3, 4), normal(r, 3, 4), normal(r, 3, 4)),
      (0, 1, 2), REDUCTIONS + (V(swap=True), V(p=1.0, margin=2.0))),
]
NN_RECORDS += _FACE_RECORDS
BY_NAME.update({r.name: r for r in _FACE_RECORDS})


def _ctc_sample(r):
    lp = normal(r, 5, 2, 4)
    lp = lp - np.log(np.exp(lp).sum(axis=2, keepdims=True))
    return lp, np.array([[1, 2, 2], [3, 0, 0]]), [5, 4], [3, 1]


NN_RECORDS += [R("ctc_loss", _ctc_sample, (0,), REDUCTIONS + (
    V(blank=3, sample=lambda r: (_ctc_sample(r)[0], np.array([[1, 2, 2], [0, 1, 1]]), [5, 4],
                                 [3, 2])),), torch=None,
    torch_why="PyTorch's gradient with respect to log_probs adds exp(log_probs) (it assumes "
              "log_softmax inputs); compared through log_softmax in "
              "test_nn_layers_torch_face.py")]
BY_NAME["ctc_loss"] = NN_RECORDS[-1]
