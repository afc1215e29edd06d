"""Device peak compute (sources/device_peaks/peak_compute.csv): dense fp32/tf32/fp16/int8 peaks from the vendors'
pages, for the suspect screen's peak test (a row cannot run faster than its device's peak)."""

from __future__ import annotations

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, num

TABLE = REPO_PREFIX + "device_peaks/peak_compute.csv"
#: CSV column -> the precision class the screen keys it by (modelpick.screen.PEAK_CLASSES)
COLUMNS = {"fp32_tflops": "fp32", "tf32_tflops": "tf32", "fp16_tflops": "fp16", "int8_tops": "int8"}
PAGE_IDS = {"NVIDIA A100 Tensor Core GPU datasheet": "peak-nvidia-a100-datasheet",
            "NVIDIA T4 Tensor Core GPU product page": "peak-nvidia-t4-page"}


class DevicePeaksAdapter(SourceAdapter):
    """Each row: a device (an alias in devices_map.yaml), its dense peaks and the vendor page; one source per page."""

    source_id = "device-peaks"
    tables = (TABLE,)
    meta = {"title": "Device peak compute (sources/device_peaks): one source entry per vendor page"}

    def build(self) -> None:
        ctx = self.ctx
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            dev = self.mapping.device(self.source_id, r["device"])
            if dev is None:
                continue
            peaks = {cls: num(r[col]) for col, cls in COLUMNS.items() if r[col].strip()}
            if not peaks or any(v is None or v <= 0 for v in peaks.values()):
                raise SystemExit(f"peak_compute.csv: {r['device']!r} has no usable peak ({peaks})")
            sid = PAGE_IDS[r["page"]]
            ctx.add_source(sid, {
                "title": f"{r['page']}: peak compute",
                "published": {"url": r["source_url"]},
                "precision": "dense peaks (no structured sparsity), 10^12 operations per second: TFLOPS for fp32, "
                             "tf32 and fp16, TOPS for int8",
                "caveats": [f"read {r['retrieved']} from stored copies of pages quoting the vendor's figures "
                            "(sources/device_peaks/PROVENANCE.md); the vendor page itself was not reachable",
                            "used only by the suspect screen's peak test: a row whose implied throughput "
                            "(GMACs x 2 / per-image latency) exceeds the peak of its precision is a suspect"],
            })
            if dev in ctx.device_peaks and ctx.device_peaks[dev][0] != peaks:
                raise SystemExit(f"peak_compute.csv gives {dev} two sets of peaks")
            ctx.device_peaks[dev] = (peaks, sid)
            kept += 1
        ctx.stat(self.source_id, len(rows), kept)
