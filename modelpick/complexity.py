"""Time complexity of convolutional layers (He & Sun 2015, "Convolutional Neural Networks at Constrained
Time Cost", Eq. 1)::

    O( sum_l  n_{l-1} * s_l^2 * n_l * m_l^2 )

n_{l-1}: input channels, s_l: filter size, n_l: filters (output channels), m_l: output feature-map size.
The sum counts multiply-accumulates (MACs). FLOPs are reported in two conventions, because sources differ:

* ``flops`` = 2 x MACs: one multiply and one add per MAC. This is how Bianco et al. and timm count, the
  convention used everywhere else in modelpick (``gmacs`` x 2), and exactly the operation count when each
  output also adds a bias.
* ``flops_no_bias`` = 2 x MACs - outputs: k multiplies and k - 1 adds per output value, with k = n_{l-1} s_l^2
  the filter volume. This is the hand count of seed 004 (one 3x3 filter on a 100x100 image without padding:
  98 x 98 x (9 + 8) = 163,268 FLOPs).

Pooling and fully-connected layers are outside Eq. 1, as in the paper. All numbers are computed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping

from .errors import InvalidQuery

_FIELDS = ("in_channels", "out_channels", "kernel_size", "output_size")


def output_size(input_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Spatial output size of a convolution: floor((in + 2p - d(k-1) - 1) / s) + 1."""
    for name, v, low in (("input_size", input_size, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                         ("padding", padding, 0), ("dilation", dilation, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise InvalidQuery(name, v, f"must be an integer >= {low}")
    out = (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if out < 1:
        raise InvalidQuery("kernel_size", kernel_size, f"the filter does not fit a {input_size}px input "
                           f"with padding {padding} and dilation {dilation}")
    return out


@dataclass(frozen=True)
class ConvLayer:
    """One convolution in He & Sun's notation: n_{l-1} -> n_l channels, s_l x s_l filters, m_l x m_l output.

    ``groups`` splits channels as in grouped / depthwise convolution (each filter sees in_channels/groups).
    """

    in_channels: int
    out_channels: int
    kernel_size: int
    output_size: int
    groups: int = 1

    def __post_init__(self) -> None:
        for name in (*_FIELDS, "groups"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InvalidQuery(name, v, "must be an integer >= 1")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise InvalidQuery("groups", self.groups, f"must divide in_channels ({self.in_channels}) and "
                               f"out_channels ({self.out_channels})")

    @classmethod
    def from_input(cls, in_channels: int, out_channels: int, kernel_size: int, input_size: int, *, stride: int = 1,
                   padding: int = 0, dilation: int = 1, groups: int = 1) -> "ConvLayer":
        """A layer given its input size; the output size follows from stride, padding and dilation."""
        return cls(in_channels, out_channels, kernel_size,
                   output_size(input_size, kernel_size, stride, padding, dilation), groups)

    @property
    def filter_volume(self) -> int:
        """Multiplies per output value: (n_{l-1} / groups) * s_l^2."""
        return self.in_channels // self.groups * self.kernel_size**2

    @property
    def outputs(self) -> int:
        """Output values: n_l * m_l^2."""
        return self.out_channels * self.output_size**2

    @property
    def macs(self) -> int:
        """n_{l-1} * s_l^2 * n_l * m_l^2 (divided by groups)."""
        return self.filter_volume * self.outputs


@dataclass(frozen=True)
class ConvComplexity:
    """Result of :func:`conv_time` (computed)."""

    layers: tuple[ConvLayer, ...]
    macs: int
    flops: int
    flops_no_bias: int
    computed: bool = True
    method: str = ("He & Sun 2015 Eq. 1: sum of n_{l-1} s_l^2 n_l m_l^2 multiply-accumulates over conv layers; "
                   "flops = 2 x MACs (Bianco/timm convention, = mults + adds with bias); flops_no_bias = "
                   "2 x MACs - outputs (k mults + k-1 adds per output)")

    @property
    def gmacs(self) -> float:
        return self.macs / 1e9

    @property
    def gflops(self) -> float:
        return self.flops / 1e9

    def per_layer(self) -> list[dict[str, Any]]:
        return [{**asdict(layer), "macs": layer.macs, "flops": 2 * layer.macs,
                 "flops_no_bias": 2 * layer.macs - layer.outputs} for layer in self.layers]

    def to_dict(self) -> dict[str, Any]:
        return {"macs": self.macs, "flops": self.flops, "flops_no_bias": self.flops_no_bias, "gmacs": self.gmacs,
                "gflops": self.gflops, "layers": self.per_layer(), "computed": self.computed, "method": self.method}


def _as_layer(spec: Any, index: int) -> ConvLayer:
    if isinstance(spec, ConvLayer):
        return spec
    if isinstance(spec, Mapping):
        unknown = set(spec) - {*_FIELDS, "groups"}
        if unknown:
            raise InvalidQuery(f"layers[{index}]", sorted(unknown)[0], "unknown layer field",
                               choices=[*_FIELDS, "groups"])
        missing = [f for f in _FIELDS if f not in spec]
        if missing:
            raise InvalidQuery(f"layers[{index}]", dict(spec), f"missing {', '.join(missing)}", choices=_FIELDS)
        return ConvLayer(**spec)
    if isinstance(spec, (tuple, list)) and len(spec) in (4, 5):
        return ConvLayer(*spec)
    raise InvalidQuery(f"layers[{index}]", spec, "expected a ConvLayer, a mapping with in_channels, out_channels, "
                       "kernel_size, output_size (and optional groups), or a tuple (n_in, n_out, s, m[, groups])")


def conv_time(layers: Iterable[ConvLayer | Mapping[str, int] | tuple]) -> ConvComplexity:
    """Sum He & Sun's time complexity over conv layers; reports MACs and FLOPs (both conventions)."""
    parsed = tuple(_as_layer(spec, i) for i, spec in enumerate(layers))
    if not parsed:
        raise InvalidQuery("layers", [], "give at least one conv layer")
    macs = sum(layer.macs for layer in parsed)
    outputs = sum(layer.outputs for layer in parsed)
    return ConvComplexity(parsed, macs, 2 * macs, 2 * macs - outputs)


__all__ = ["ConvLayer", "ConvComplexity", "conv_time", "output_size"]
