"""The source adapters, one module per public source, in the order the build runs them."""

from __future__ import annotations

from ..base import SourceAdapter
from .bianco_repo import BiancoRepoAdapter
from .bianco_text import BiancoTextAdapter
from .coral import CoralAdapter
from .coral_models import CoralModelsAdapter
from .coreml_iphone import CoremlIphoneAdapter
from .coreml_model_zoo import CoremlModelZooAdapter
from .device_peaks import DevicePeaksAdapter
from .device_specs import DeviceSpecsAdapter
from .efficientnet_lite import EfficientnetLiteAdapter
from .fastdeploy_rknpu2 import FastdeployRknpu2Adapter
from .fastestdet import FastestdetAdapter
from .hailo import HailoAdapter
from .keras import KerasAdapter
from .mlperf import MlperfAdapter
from .nanodet import NanodetAdapter
from .ncnn import NcnnAdapter
from .ncnn_detection import NcnnDetectionAdapter
from .openvino_benchmarks import OpenvinoBenchmarksAdapter
from .paddleclas import PaddleclasAdapter
from .paddledetection_picodet import PaddledetectionPicodetAdapter
from .paddledetection_ppyoloe import PaddledetectionPpyoloeAdapter
from .paddlelite import PaddleliteAdapter
from .qualcomm import QualcommAdapter
from .qualcomm_detection import QualcommDetectionAdapter
from .qualcomm_numerics import QualcommNumericsAdapter
from .rknn_model_zoo import RknnModelZooAdapter
from .tf_slim import TfSlimAdapter
from .tflite_hosted import TfliteHostedAdapter
from .tflite_perf import TflitePerfAdapter
from .timm import TimmAdapter
from .tnn import TnnAdapter
from .torch2trt import Torch2trtAdapter
from .torchvision import TorchvisionAdapter
from .torchvision_detection import TorchvisionDetectionAdapter
from .trtutils_orin_nano import TrtutilsOrinNanoAdapter
from .ultralytics_docs import UltralyticsDocsAdapter
from .ultralytics_jetson import UltralyticsJetsonAdapter
from .ultralytics_raspberry_pi import UltralyticsRaspberryPiAdapter
from .ultralytics_rknn import UltralyticsRknnAdapter
from .ultralytics_yolov10 import UltralyticsYolov10Adapter
from .yolov6 import Yolov6Adapter
from .yolox import YoloxAdapter

# Order matters only where an adapter reads another's facts: BiancoTextAdapter needs BiancoRepoAdapter's rows, the
# Core ML adapters link their checkpoints to timm's, torchvision's and Keras's (same_weights_as), and
# among the detection sources the first to state a detector's params/GMACs keeps them (model pages first, device
# tables that only name the model after them).
ADAPTERS: tuple[type[SourceAdapter], ...] = (
    TimmAdapter,
    TorchvisionAdapter,
    Torch2trtAdapter,
    NcnnAdapter,
    QualcommAdapter,
    QualcommNumericsAdapter,
    PaddleclasAdapter,
    PaddleliteAdapter,
    TnnAdapter,
    CoralAdapter,
    CoralModelsAdapter,
    HailoAdapter,
    CoremlIphoneAdapter,
    TfliteHostedAdapter,
    TflitePerfAdapter,
    EfficientnetLiteAdapter,
    TfSlimAdapter,
    KerasAdapter,
    CoremlModelZooAdapter,
    MlperfAdapter,
    OpenvinoBenchmarksAdapter,
    BiancoRepoAdapter,
    BiancoTextAdapter,
    UltralyticsDocsAdapter,
    UltralyticsYolov10Adapter,
    TorchvisionDetectionAdapter,
    YoloxAdapter,
    Yolov6Adapter,
    NanodetAdapter,
    FastestdetAdapter,
    PaddledetectionPpyoloeAdapter,
    PaddledetectionPicodetAdapter,
    UltralyticsJetsonAdapter,
    UltralyticsRaspberryPiAdapter,
    UltralyticsRknnAdapter,
    QualcommDetectionAdapter,
    NcnnDetectionAdapter,
    RknnModelZooAdapter,
    FastdeployRknpu2Adapter,
    TrtutilsOrinNanoAdapter,
    DeviceSpecsAdapter,
    DevicePeaksAdapter,
)

__all__ = ["ADAPTERS"]
