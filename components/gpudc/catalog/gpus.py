"""The GPU catalog: one frozen `GpuModel` per supported NVIDIA data-center GPU.

Each record carries its sources in `source`; the comment above it says which document gave which
figure and flags anything that could not be confirmed as "unverified". MIG profile names are the
GPU-instance profiles NVIDIA documents for the GPU, without the "+me" media-extension variants
(those are the same 1g slice with the media engines attached, not a different size).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from gpudc.catalog.models import GpuArchitecture, GpuModel

__all__ = ["GPU_MODELS"]

# Sources shared by several records.
_MIG_PROFILES = "https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html"
_MIG_GPUS = "https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-gpus.html"
# NVIDIA's own mig-parted default config: the per-device profile names the MIG manager creates.
_MIG_PARTED = (
    "https://github.com/NVIDIA/mig-parted/blob/bd7160f43f16462eeb21e1eda5e67b5b6b03fd7d/"
    "deployments/systemd/config-default.yaml"
)
# "CUDA Toolkit, Driver, and Architecture Matrix": first CUDA toolkit per architecture
# (Ampere 8.0 -> CUDA 11.0, Ada and Hopper -> CUDA 11.8, Blackwell -> CUDA 12.8).
_DRIVER_MATRIX = (
    "https://docs.nvidia.com/datacenter/tesla/drivers/cuda-toolkit-driver-and-architecture-matrix.html"
)


def _cite(*urls: str) -> str:
    """Join source URLs into the whitespace-separated `source` string a record carries."""
    return " ".join(urls)


def _index(models: Iterable[GpuModel]) -> Mapping[str, GpuModel]:
    """Key records by their own `name`, refusing duplicates, and freeze the mapping."""
    table: dict[str, GpuModel] = {}
    for model in models:
        if model.name in table:
            raise ValueError(f"duplicate GPU catalog key {model.name!r}")
        table[model.name] = model
    return MappingProxyType(table)


GPU_MODELS: Mapping[str, GpuModel] = _index(
    (
        # NVIDIA A100 SXM4 80GB.
        # - 80 GB HBM2e, 400 W max TDP, NVLink 3 at 600 GB/s: NVIDIA A100 datasheet
        #   (nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf), as cited and summarised by
        #   https://glennklockwood.com/garden/processors/A100 .
        # - MIG: "For A100-SXM4-80GB ... 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb,
        #   7g.80gb" (MIG user guide, Supported MIG Profiles); same names in mig-parted for
        #   device IDs 0x20B2/0x20B5.
        # - Driver: R450 is the first data-center branch with A100 (450.51.05 release notes ship
        #   the HGX A100 VBIOS and Fabric Manager); Ampere 8.0 first toolkit is CUDA 11.0.
        GpuModel(
            name="a100-sxm-80gb",
            product_name="NVIDIA A100 SXM4 80GB",
            architecture=GpuArchitecture.AMPERE,
            memory_gib=80,
            max_power_w=400,
            nvlink_generation=3,
            nvlink_bandwidth_gbs=600,
            mig_profiles=(
                "1g.10gb",
                "1g.20gb",
                "2g.20gb",
                "3g.40gb",
                "4g.40gb",
                "7g.80gb",
            ),
            min_driver_branch=450,
            source=_cite(
                (
                    "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
                    "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf"
                ),
                "https://glennklockwood.com/garden/processors/A100",
                _MIG_PROFILES,
                _MIG_PARTED,
                "https://docs.nvidia.com/datacenter/tesla/tesla-release-notes-450-51-05/index.html",
                _DRIVER_MATRIX,
            ),
        ),
        # NVIDIA H100 SXM5 80GB.
        # - 80 GB HBM3, up to 700 W, NVLink 4 at 900 GB/s: Dell's generative-AI design guide
        #   GPU table (H100 SXM: 80 GB, 700 W max TDP, 900 GB/s), corroborated by gpu.blog
        #   ("Up to 700W (configurable)"). NVIDIA's own H100 page was not retrievable here.
        # - MIG: H100-SXM5 80GB is in the MIG "Supported GPUs" table (7 instances); profile names
        #   1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb from mig-parted (device 0x2330).
        # - Driver: Hopper's first toolkit is CUDA 11.8 (minimum driver 520.61.05; NVIDIA AI
        #   Enterprise 2.3 shipped H100 support on 520.61.05), but R520 has no Data Center GPU
        #   Driver release notes; R525 (525.85.12 notes list the HGX H100 PG520 VBIOS) is the first
        #   data-center branch, hence 525.
        GpuModel(
            name="h100-sxm",
            product_name="NVIDIA H100 SXM5 80GB",
            architecture=GpuArchitecture.HOPPER,
            memory_gib=80,
            max_power_w=700,
            nvlink_generation=4,
            nvlink_bandwidth_gbs=900,
            mig_profiles=(
                "1g.10gb",
                "1g.20gb",
                "2g.20gb",
                "3g.40gb",
                "4g.40gb",
                "7g.80gb",
            ),
            min_driver_branch=525,
            source=_cite(
                (
                    "https://infohub.delltechnologies.com/l/design-guide-generative-ai-in-the-"
                    "enterprise-inferencing/dell-poweredge-servers-and-nvidia-gpus/"
                ),
                "https://gpu.blog/gpus/nvidia-h100-sxm",
                _MIG_GPUS,
                _MIG_PARTED,
                "https://docs.nvidia.com/datacenter/tesla/tesla-release-notes-525-85-12/index.html",
                "https://docs.nvidia.com/ai-enterprise/2.3/release-notes/index.html",
                _DRIVER_MATRIX,
            ),
        ),
        # NVIDIA H100 NVL (PCIe card, NVLink bridge), 94 GB.
        # - 94 GB HBM3, 350-400 W configurable (max 400 W recorded): gpu.blog ("TDP 350-400W
        #   (configurable)") and One Stop Systems ("H100 NVL, increasing power density to 400W");
        #   NVIDIA's own H100 page was not retrievable here.
        # - NVLink 4 bridge at 600 GB/s: Dell's design guide gives 600 GB/s for the H100 PCIe
        #   NVLink bridge; that the NVL bridge runs at the same rate is unverified.
        # - MIG: H100 94GB is in the MIG "Supported GPUs" table; names 1g.12gb, 1g.24gb, 2g.24gb,
        #   3g.47gb, 4g.47gb, 7g.94gb from mig-parted ("H100 NVL" entries, device 0x2321).
        # - Driver: unverified. No release note naming the H100 NVL SKU was found; 535 is the
        #   first branch released after the SKU shipped (Hopper itself needs >= R525). Best public
        #   figure, not confirmed.
        GpuModel(
            name="h100-nvl",
            product_name="NVIDIA H100 NVL 94GB",
            architecture=GpuArchitecture.HOPPER,
            memory_gib=94,
            max_power_w=400,
            nvlink_generation=4,
            nvlink_bandwidth_gbs=600,
            mig_profiles=(
                "1g.12gb",
                "1g.24gb",
                "2g.24gb",
                "3g.47gb",
                "4g.47gb",
                "7g.94gb",
            ),
            min_driver_branch=535,
            source=_cite(
                "https://gpu.blog/gpus/nvidia-h100-nvl",
                "https://onestopsystems.com/pages/one-stop-systems-blog",
                (
                    "https://infohub.delltechnologies.com/l/design-guide-generative-ai-in-the-"
                    "enterprise-inferencing/dell-poweredge-servers-and-nvidia-gpus/"
                ),
                _MIG_GPUS,
                _MIG_PARTED,
                _DRIVER_MATRIX,
            ),
        ),
        # NVIDIA H200 SXM5 141GB.
        # - 141 GB HBM3e, 700 W TGP, NVLink 4 at 900 GB/s: NVIDIA's own MLPerf Inference v4.1
        #   system description ("NVIDIA H200-SXM-141GB", "H200 TGP 700W",
        #   "18x 4th Gen NVLink, 900GB/s").
        # - MIG: H200-SXM5 141GB is in the MIG "Supported GPUs" table; names 1g.18gb, 1g.35gb,
        #   2g.35gb, 3g.71gb, 4g.71gb, 7g.141gb from mig-parted (device 0x2335).
        # - Driver: unverified. No NVIDIA release note naming H200 was found; third parties claim
        #   R535+, NVIDIA's MLPerf H200 runs used CUDA 12.4 (an R550 driver). 550 recorded as the
        #   conservative figure.
        GpuModel(
            name="h200-sxm",
            product_name="NVIDIA H200 SXM5 141GB",
            architecture=GpuArchitecture.HOPPER,
            memory_gib=141,
            max_power_w=700,
            nvlink_generation=4,
            nvlink_bandwidth_gbs=900,
            mig_profiles=(
                "1g.18gb",
                "1g.35gb",
                "2g.35gb",
                "3g.71gb",
                "4g.71gb",
                "7g.141gb",
            ),
            min_driver_branch=550,
            source=_cite(
                (
                    "https://raw.githubusercontent.com/mlcommons/inference_results_v4.1/main/"
                    "closed/NVIDIA/systems/H200-SXM-141GBx8_TRT_MaxQ.json"
                ),
                _MIG_GPUS,
                _MIG_PARTED,
                _DRIVER_MATRIX,
            ),
        ),
        # NVIDIA B200 (HGX B200 / DGX B200), 180 GB.
        # - 180 GB: DGX B200 user guide ("8 x NVIDIA B200 GPUs that provide 1,440 GB total GPU
        #   memory") and MIG "Supported GPUs" (B200, 180GB). NVIDIA's launch material quotes
        #   192 GB of HBM3e per package; 180 GB is what a B200 exposes.
        # - 1,000 W: the HGX variant of B200 "configured at 1,000 W" (NVIDIA Blackwell datasheet
        #   as summarised by glennklockwood.com).
        # - NVLink 5 at 1.8 TB/s per GPU: DGX B200 user guide gives 14.4 TB/s aggregate over
        #   8 GPUs (= 1,800 GB/s each).
        # - MIG: 1g.23gb, 1g.45gb, 2g.45gb, 3g.90gb, 4g.90gb, 7g.180gb from mig-parted (0x2901).
        # - Driver: Blackwell's first toolkit is CUDA 12.8 (minimum driver 570.26); the GPU
        #   Operator notes that HGX B200 needs driver 570.133.20 or later -> branch 570.
        GpuModel(
            name="b200",
            product_name="NVIDIA B200 (HGX B200) 180GB",
            architecture=GpuArchitecture.BLACKWELL,
            memory_gib=180,
            max_power_w=1000,
            nvlink_generation=5,
            nvlink_bandwidth_gbs=1800,
            mig_profiles=(
                "1g.23gb",
                "1g.45gb",
                "2g.45gb",
                "3g.90gb",
                "4g.90gb",
                "7g.180gb",
            ),
            min_driver_branch=570,
            source=_cite(
                "https://docs.nvidia.com/dgx/dgxb200-user-guide/introduction-to-dgxb200.html",
                "https://glennklockwood.com/garden/processors/B200",
                _MIG_GPUS,
                _MIG_PARTED,
                _DRIVER_MATRIX,
                "https://github.com/NVIDIA/cloud-native-docs/pull/184",
            ),
        ),
        # NVIDIA Blackwell GPU in the GB200 Grace Blackwell Superchip, 186 GB.
        # - 186 GB: MIG "Supported GPUs" table (GB200, GB100, 186GB).
        # - 1,200 W per GPU: "the GB200 variant of B200 when configured to 1,200 W" (NVIDIA
        #   Blackwell datasheet as summarised by glennklockwood.com); NVIDIA does not publish a
        #   separate per-GPU TDP for GB200 on its product page, so treat as best public figure.
        # - NVLink 5 at 1.8 TB/s per GPU: same NVLink 5 switch generation as DGX B200 (user
        #   guide); "1.8 TB/s per GPU ... 130 TB/s" per setloop.io's GB200 NVL72 write-up.
        # - MIG: 1g.23gb, 1g.47gb, 2g.47gb, 3g.93gb, 4g.93gb, 7g.186gb from mig-parted HEAD
        #   ("GB200 HGX", device 0x2941). Older mig-parted releases used 24/95/189 GB names for
        #   an earlier GB200 memory carve-out; the 186 GB names match the MIG user guide's 186GB.
        # - Driver: Blackwell -> CUDA 12.8 -> R570; GPU Operator added GB200 NVL support with the
        #   570 branch.
        GpuModel(
            name="gb200",
            product_name="NVIDIA GB200 Grace Blackwell Superchip GPU 186GB",
            architecture=GpuArchitecture.BLACKWELL,
            memory_gib=186,
            max_power_w=1200,
            nvlink_generation=5,
            nvlink_bandwidth_gbs=1800,
            mig_profiles=(
                "1g.23gb",
                "1g.47gb",
                "2g.47gb",
                "3g.93gb",
                "4g.93gb",
                "7g.186gb",
            ),
            min_driver_branch=570,
            source=_cite(
                _MIG_GPUS,
                "https://glennklockwood.com/garden/processors/B200",
                "https://setloop.io/blog/gb200-nvl72-architecture",
                "https://docs.nvidia.com/dgx/dgxb200-user-guide/introduction-to-dgxb200.html",
                _MIG_PARTED,
                _DRIVER_MATRIX,
                "https://github.com/NVIDIA/cloud-native-docs/pull/184",
            ),
        ),
        # NVIDIA L40S (PCIe, Ada Lovelace), 48 GB.
        # - 48 GB GDDR6, 350 W max power, no NVLink: NVIDIA's L40/L40S datasheet table ("Max
        #   Power Consumption 300W | 350W") as reproduced by the reseller page below; ServeTheHome
        #   ("the TDP of each GPU, H100 or L40S is 350W"); "NVLink is not supported" per
        #   itcreations. NVIDIA's own L40S page was not retrievable here.
        # - No MIG: the L40S is absent from the MIG user guide's "Supported GPUs" table.
        # - Driver: unverified. Ada's first toolkit is CUDA 11.8 (R520) and R525 is the first
        #   data-center branch after it, but no release note naming the L40S SKU (launched
        #   August 2023) was found; 535 recorded as the best public figure.
        GpuModel(
            name="l40s",
            product_name="NVIDIA L40S 48GB",
            architecture=GpuArchitecture.ADA_LOVELACE,
            memory_gib=48,
            max_power_w=350,
            nvlink_generation=None,
            nvlink_bandwidth_gbs=None,
            mig_profiles=(),
            min_driver_branch=535,
            source=_cite(
                "https://www.mullet.se/product.html?product_id=355414",
                (
                    "https://servethehome.com/nvidia-l40s-is-the-nvidia-h100-ai-alternative-with-"
                    "a-big-benefit-supermicro/2"
                ),
                "https://www.itcreations.com/nvidia-gpu/nvidia-l40s-gpu-accelerator",
                _MIG_GPUS,
                _DRIVER_MATRIX,
            ),
        ),
    )
)
