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
# GPU Operator release notes (NVIDIA/cloud-native-docs gpu-operator/release-notes.rst at
# 52dcb7b8d956784344e241df476de17094a4574c): v25.10.0 "Added support for NVIDIA HGX B300 and
# NVIDIA HGX GB300 NVL72" with the MIG profiles each supports; v25.3.0 "HGX B200 requires a
# driver container version of 570.133.20 or later" (also platform-support.rst).
_OPERATOR_NOTES = (
    "https://github.com/NVIDIA/cloud-native-docs/blob/52dcb7b8d956784344e241df476de17094a4574c/"
    "gpu-operator/release-notes.rst"
)
# mig-parted commits that added the Blackwell Ultra and H200 NVL device IDs to the default config.
_MIG_PARTED_B300 = "https://github.com/NVIDIA/mig-parted/commit/47c56d9689ded4d2469b1c4dbbbe06adc29dfe18"
_MIG_PARTED_GB300 = "https://github.com/NVIDIA/mig-parted/commit/754491163777ed92c271bb811f38070e22c00700"
_MIG_PARTED_H200_NVL = "https://github.com/NVIDIA/mig-parted/commit/407e0eabe78f5b40885144e411992a0e85458e9e"


# H200 141GB and H200 NVL share one mig-parted device filter ("H200 141GB, H200 NVL").
_H200_MIG = ("1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb")


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
            unverified=(
                "nvlink_bandwidth_gbs: 600 GB/s is the H100 PCIe bridge rate; the NVL bridge rate was not found",
                "min_driver_branch: no release note names the H100 NVL; 535 is the first branch after it shipped",
            ),
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
            mig_profiles=_H200_MIG,
            min_driver_branch=550,
            unverified=(
                "min_driver_branch: no NVIDIA release note names H200; 550 (CUDA 12.4, NVIDIA's MLPerf runs) is conservative",
            ),
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
            min_driver_version="570.133.20",
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
            min_driver_version="570.133.20",
            unverified=(
                "max_power_w: 1,200 W is the GB200 configuration in a third-party datasheet summary",
                "min_driver_version: NVIDIA states 570.133.20 for HGX B200; the same GPU die is assumed for GB200",
            ),
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
        # NVIDIA H200 NVL (PCIe card, NVLink bridge), 141 GB.
        # - MIG: mig-parted matches the H200 NVL (device 0x233B) with the H200 141GB (0x2335) in
        #   one device filter ("H200 141GB, H200 NVL"), so the H200's profile names apply; the GPU
        #   Operator release notes (v24.9.1) add an `all-balanced` layout for H200 NVL of
        #   1g.18gb x2, 2g.35gb x1, 3g.71gb x1.
        # - Memory 141 GB: the same HBM3e configuration as H200 SXM (the MIG names end in 141gb).
        # - 600 W and a 900 GB/s NVLink bridge: NVIDIA's H200 product page figures, not retrieved
        #   here - unverified.
        # - Driver: as H200 SXM (550, unverified).
        GpuModel(
            name="h200-nvl",
            product_name="NVIDIA H200 NVL 141GB",
            architecture=GpuArchitecture.HOPPER,
            memory_gib=141,
            max_power_w=600,
            nvlink_generation=4,
            nvlink_bandwidth_gbs=900,
            mig_profiles=_H200_MIG,
            min_driver_branch=550,
            unverified=(
                "max_power_w: 600 W from NVIDIA's H200 page, not retrieved here",
                "nvlink_bandwidth_gbs: 900 GB/s bridge rate from NVIDIA's H200 page, not retrieved here",
                "mig_profiles: mig-parted lists 1g.35gb for device 0x2335 only; assumed for 0x233B",
                "min_driver_branch: no NVIDIA release note names H200 NVL; 550 as for H200 SXM",
            ),
            source=_cite(_MIG_PARTED_H200_NVL, _MIG_PARTED, _OPERATOR_NOTES, _MIG_GPUS),
        ),
        # NVIDIA B300 (HGX B300, Blackwell Ultra), 269 GB exposed of a 288 GB HBM3e stack.
        # - MIG: 1g.34gb, 1g.67gb, 2g.67gb, 3g.135gb, 4g.135gb, 7g.269gb: GPU Operator v25.10.0
        #   release notes ("Added support for new MIG profiles with NVIDIA HGX B300") and mig-parted
        #   (device 0x3182). Memory is what the GPU exposes, as for B200: the full-GPU profile
        #   7g.269gb (the 288 GB of the HBM3e stack is the launch figure).
        # - Driver: R580 is the first branch of Blackwell Ultra (GPU Operator v25.10.0 added HGX
        #   B300 with drivers 580.95.05 / 570.195.03 / 535.274.02, and only R580 knows the GPU).
        #   The full minimum 580.82.07 is the first R580 production driver the operator shipped
        #   (v25.3.4 default); NVIDIA states no B300 minimum in a document found here - unverified.
        #   Searched again (2026-12-03) for an NVIDIA statement: the R580 data-center driver release
        #   notes (docs.nvidia.com/datacenter/tesla, none for 580.65.06 or 580.82.07 is stored), the
        #   GPU Operator platform-support and release notes (cloud-native-docs: a "requires a driver
        #   container version of ... or later" note exists for HGX B200 only, PR #184; PR #317 names
        #   580.82.07 only as v25.3.4's default), CUDA toolkit notes for "Blackwell Ultra"/"B300";
        #   every other hit for "580.82.07" is a third party's machine report.
        # - 1,100 W (HGX B300): third-party hardware summaries - unverified against a datasheet.
        GpuModel(
            name="b300",
            product_name="NVIDIA B300 (HGX B300) 288GB HBM3e, 269GB exposed",
            architecture=GpuArchitecture.BLACKWELL,
            memory_gib=269,
            max_power_w=1100,
            nvlink_generation=5,
            nvlink_bandwidth_gbs=1800,
            mig_profiles=(
                "1g.34gb",
                "1g.67gb",
                "2g.67gb",
                "3g.135gb",
                "4g.135gb",
                "7g.269gb",
            ),
            min_driver_branch=580,
            min_driver_version="580.82.07",
            unverified=(
                "min_driver_version: 580.82.07 is the first R580 production driver the GPU Operator shipped; "
                "no NVIDIA document stating a B300 minimum was found",
                "max_power_w: 1,100 W for HGX B300 from third-party summaries, not an NVIDIA datasheet",
            ),
            source=_cite(
                _OPERATOR_NOTES, _MIG_PARTED_B300, _MIG_PARTED, "https://huggingface.co/hardware/b300"
            ),
        ),
        # NVIDIA Blackwell Ultra GPU in the GB300 Grace Blackwell Ultra Superchip, 278 GB exposed
        # (full-GPU MIG profile 7g.278gb) of a 288 GB HBM3e stack.
        # - MIG: 1g.35gb, 1g.70gb, 2g.70gb, 3g.139gb, 4g.139gb, 7g.278gb: GPU Operator v25.10.0
        #   release notes ("new MIG profiles with NVIDIA HGX GB300 NVL72") and mig-parted (0x31C2).
        # - Driver: R580 as B300; DGX GB300 NVL72 release 1.0.6 was tested with 580.126.20.
        # - 1,400 W per GPU: third-party summaries - unverified.
        GpuModel(
            name="gb300",
            product_name="NVIDIA GB300 Grace Blackwell Ultra Superchip GPU 288GB HBM3e, 278GB exposed",
            architecture=GpuArchitecture.BLACKWELL,
            memory_gib=278,
            max_power_w=1400,
            nvlink_generation=5,
            nvlink_bandwidth_gbs=1800,
            mig_profiles=(
                "1g.35gb",
                "1g.70gb",
                "2g.70gb",
                "3g.139gb",
                "4g.139gb",
                "7g.278gb",
            ),
            min_driver_branch=580,
            min_driver_version="580.82.07",
            unverified=(
                "min_driver_version: 580.82.07 is the first R580 production driver the GPU Operator shipped; "
                "no NVIDIA document stating a GB300 minimum was found",
                "max_power_w: 1,400 W per GPU from third-party summaries, not an NVIDIA datasheet",
            ),
            source=_cite(
                _OPERATOR_NOTES,
                _MIG_PARTED_GB300,
                _MIG_PARTED,
                "https://docs.nvidia.com/dgx/dgxgb300nvl72-release-notes/package-contents.html",
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
            unverified=("min_driver_branch: no release note names the L40S; 535 is the best public figure",),
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
