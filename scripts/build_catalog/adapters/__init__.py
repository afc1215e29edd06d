"""The source adapters, one module per public source, in the order the build runs them."""

from __future__ import annotations

from ..base import SourceAdapter
from .bianco_repo import BiancoRepoAdapter
from .bianco_text import BiancoTextAdapter
from .coral import CoralAdapter
from .device_specs import DeviceSpecsAdapter
from .efficientnet_lite import EfficientnetLiteAdapter
from .hailo import HailoAdapter
from .keras import KerasAdapter
from .mlperf import MlperfAdapter
from .ncnn import NcnnAdapter
from .paddleclas import PaddleclasAdapter
from .paddlelite import PaddleliteAdapter
from .qualcomm import QualcommAdapter
from .tf_slim import TfSlimAdapter
from .tflite_hosted import TfliteHostedAdapter
from .tflite_perf import TflitePerfAdapter
from .timm import TimmAdapter
from .tnn import TnnAdapter
from .torch2trt import Torch2trtAdapter
from .torchvision import TorchvisionAdapter

# Order matters only where an adapter reads another's facts: BiancoTextAdapter needs BiancoRepoAdapter's rows.
ADAPTERS: tuple[type[SourceAdapter], ...] = (
    TimmAdapter,
    TorchvisionAdapter,
    Torch2trtAdapter,
    NcnnAdapter,
    QualcommAdapter,
    PaddleclasAdapter,
    PaddleliteAdapter,
    TnnAdapter,
    CoralAdapter,
    HailoAdapter,
    TfliteHostedAdapter,
    TflitePerfAdapter,
    EfficientnetLiteAdapter,
    TfSlimAdapter,
    KerasAdapter,
    MlperfAdapter,
    BiancoRepoAdapter,
    BiancoTextAdapter,
    DeviceSpecsAdapter,
)

__all__ = ["ADAPTERS"]
