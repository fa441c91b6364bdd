"""The system catalog: one frozen `NodeModel` per purchasable GPU server or rack-scale system.

Figures are those of one concrete vendor product (mostly NVIDIA DGX, the reference build of each
HGX generation), per system. The comment above each record says which document gave which figure;
anything not confirmed in a retrieved document is marked "unverified" with the best public figure.

NIC groups count *ports* per system at their line rate: a dual-port card cabled to one fabric is
two ports. Where a vendor quotes a card as "up to 400 Gb/s" but the card is dual-port ConnectX-7,
each port runs at 200 Gb/s ("two ports of NDR200/200GbE or a single-port of NDR/400GbE",
https://docs.nvidia.com/networking/display/connectx7vpiocp3/supported+interfaces).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from gpudc.catalog.gpus import GPU_MODELS
from gpudc.catalog.models import CoolingType, Fabric, NicGroup, NodeModel

__all__ = ["NODE_MODELS"]

_CX7_PORT_RATES = "https://docs.nvidia.com/networking/display/connectx7vpiocp3/supported+interfaces"


def _cite(*urls: str) -> str:
    """Join source URLs into the whitespace-separated `source` string a record carries."""
    return " ".join(urls)


def _index(models: Iterable[NodeModel]) -> Mapping[str, NodeModel]:
    """Key records by `name`, refuse duplicates and dangling GPU keys, freeze the mapping."""
    table: dict[str, NodeModel] = {}
    for model in models:
        if model.name in table:
            raise ValueError(f"duplicate node catalog key {model.name!r}")
        if model.gpu_model not in GPU_MODELS:
            raise ValueError(
                f"node {model.name!r} names GPU {model.gpu_model!r}, which is not in GPU_MODELS "
                f"({', '.join(sorted(GPU_MODELS))})"
            )
        table[model.name] = model
    return MappingProxyType(table)


NODE_MODELS: Mapping[str, NodeModel] = _index(
    (
        # NVIDIA DGX A100 (640 GB), the reference HGX A100 8-GPU build.
        # - 6.5 kW max, 2x AMD EPYC 7742 (128 cores total): Hardware Times launch report ("maximum
        #   power usage of 6.5kW", "2x AMD Epyc Rome 7742 ... total core count of 128") and
        #   pcnews.ru from the DGX A100 documentation ("Максимальное энергопотребление достигает
        #   6500 Вт", six 3 kW PSUs).
        # - 6U: chassis height 26.4 cm (geektopia, from NVIDIA's launch specs) = 6U.
        # - Compute NICs: eight single-port Mellanox cards at 200 Gb/s (geektopia); ConnectX-6
        #   HDR is the DGX A100 part.
        # - 2 TB RAM and 2x dual-port ConnectX-6 storage NICs: DGX A100 640GB datasheet figures,
        #   not retrieved here (the 320 GB model shipped 1 TB and one dual-port card) - unverified.
        NodeModel(
            name="hgx-a100-8gpu",
            product_name="NVIDIA DGX A100 640GB",
            gpu_model="a100-sxm-80gb",
            gpus_per_system=8,
            nodes_per_system=1,
            cpu_sockets=2,
            cpu_cores=128,
            memory_gib=2048,
            max_power_kw=6.5,
            rack_units=6,
            cooling=CoolingType.AIR,
            nics=(
                NicGroup(
                    fabric=Fabric.COMPUTE,
                    count=8,
                    speed_gbps=200,
                    model="ConnectX-6 HDR",
                ),
                NicGroup(fabric=Fabric.STORAGE, count=4, speed_gbps=200, model="ConnectX-6"),
                NicGroup(
                    fabric=Fabric.MANAGEMENT,
                    count=1,
                    speed_gbps=1,
                    model="BMC 1GbE RJ45",
                ),
            ),
            unverified=(
                "memory_gib: 2 TB is the DGX A100 640GB datasheet figure, not retrieved here",
                "nics: the storage NICs (2x dual-port ConnectX-6) are datasheet figures, not retrieved here",
            ),
            source=_cite(
                (
                    "https://www.hardwaretimes.com/nvidias-ampere-based-dgx-a100-servers-"
                    "leverage-amd-epyc-rome-cpus-instead-of-intel-xeon/"
                ),
                (
                    "https://pcnews.ru/news/vycislitelnaa_sistema_nvidia_dgx_a100_ampere_"
                    "osnasaetsa_sestu_blokami_pitania_po_3_kvt-985106.html"
                ),
                (
                    "https://geektopia.es/es/technology/2020/05/14/noticias/nvidia-anuncia-el-"
                    "servidor-dgx-a100-ocho-tesla-a100-desde-200-000-dolares.html"
                ),
            ),
        ),
        # NVIDIA DGX H100, the reference HGX H100 8-GPU build (DGX H100/H200 user guide).
        # - 10.2 kW max (six 3.3 kW PSUs, 4+2 redundancy): user-guide power table as quoted by
        #   unanswered.io ("Maximum input specification for the system is 10.2 kW"), matching
        #   ServeTheHome/supercluster ("Up to 10.2 kW at full load").
        # - 8U: "Each DGX H100 system occupies 8 rack units" (unanswered.io, from the user guide
        #   and the DGX SuperPOD reference architecture).
        # - Compute: 4 OSFP ports serving 8 single-port ConnectX-7 (user guide "Network Modules"
        #   table, easymanua.ls copy: CX0-CX3 on two modules, eight ibp* devices), 400 Gb/s NDR.
        # - 2x Xeon Platinum 8480C (2x 56 = 112 cores), 2 TB RAM: same motherboard as DGX H200,
        #   whose NVIDIA MLPerf system description lists "Intel(R) Xeon(R) Platinum 8480C",
        #   56 cores x 2 sockets, "2 TB".
        # - Storage/in-band: 2x dual-port QSFP112 ConnectX-7 per the user guide (not retrieved
        #   here - unverified), i.e. 4 ports at 200 Gb/s each.
        NodeModel(
            name="hgx-h100-8gpu",
            product_name="NVIDIA DGX H100",
            gpu_model="h100-sxm",
            gpus_per_system=8,
            nodes_per_system=1,
            cpu_sockets=2,
            cpu_cores=112,
            memory_gib=2048,
            max_power_kw=10.2,
            rack_units=8,
            cooling=CoolingType.AIR,
            nics=(
                NicGroup(fabric=Fabric.COMPUTE, count=8, speed_gbps=400, model="ConnectX-7"),
                NicGroup(fabric=Fabric.STORAGE, count=4, speed_gbps=200, model="ConnectX-7"),
                NicGroup(
                    fabric=Fabric.MANAGEMENT,
                    count=1,
                    speed_gbps=1,
                    model="BMC 1GbE RJ45",
                ),
            ),
            unverified=(
                "nics: the storage ports (2x dual-port ConnectX-7 at 200 Gb/s) are from a user guide not retrieved here",
            ),
            source=_cite(
                "https://unanswered.io/guide/nvidia-dgx-power-consumption-watts",
                "https://unanswered.io/guide/nvidia-h100-gpu-density-per-node-rack",
                "https://www.supercluster.blog/p/6-ai-supercluster-nvidia-dgx-h100",
                "https://www.easymanua.ls/nvidia/dgx-h100/manual?p=19",
                (
                    "https://raw.githubusercontent.com/mlcommons/inference_results_v4.1/main/"
                    "closed/NVIDIA/systems/H200-SXM-141GBx8_TRT_MaxQ.json"
                ),
                _CX7_PORT_RATES,
            ),
        ),
        # NVIDIA DGX H200, the reference HGX H200 8-GPU build (same chassis as DGX H100).
        # - 10.2 kW max, six 3.3 kW PSUs: "Power Specifications for DGX H100/H200 Systems"
        #   (unanswered.io quoting the shared DGX H100/H200 user guide).
        # - 2x Xeon Platinum 8480C (56 cores each), 2 TB RAM (32x 64 GB), 8 GPUs, air-cooled:
        #   NVIDIA's own MLPerf Inference v4.1 DGX H200 system description.
        # - 8U and NIC layout: shared DGX H100/H200 chassis (see hgx-h100-8gpu); storage NIC
        #   port rate unverified as there.
        NodeModel(
            name="hgx-h200-8gpu",
            product_name="NVIDIA DGX H200",
            gpu_model="h200-sxm",
            gpus_per_system=8,
            nodes_per_system=1,
            cpu_sockets=2,
            cpu_cores=112,
            memory_gib=2048,
            max_power_kw=10.2,
            rack_units=8,
            cooling=CoolingType.AIR,
            nics=(
                NicGroup(fabric=Fabric.COMPUTE, count=8, speed_gbps=400, model="ConnectX-7"),
                NicGroup(fabric=Fabric.STORAGE, count=4, speed_gbps=200, model="ConnectX-7"),
                NicGroup(
                    fabric=Fabric.MANAGEMENT,
                    count=1,
                    speed_gbps=1,
                    model="BMC 1GbE RJ45",
                ),
            ),
            unverified=(
                "nics: the storage ports (2x dual-port ConnectX-7 at 200 Gb/s) are from a user guide not retrieved here",
            ),
            source=_cite(
                "https://unanswered.io/guide/nvidia-dgx-power-consumption-watts",
                (
                    "https://raw.githubusercontent.com/mlcommons/inference_results_v4.1/main/"
                    "closed/NVIDIA/systems/H200-SXM-141GBx8_TRT_MaxQ.json"
                ),
                "https://www.easymanua.ls/nvidia/dgx-h100/manual?p=19",
                _CX7_PORT_RATES,
            ),
        ),
        # NVIDIA DGX B200, the reference HGX B200 8-GPU build. Every figure from the DGX B200
        # user guide, "Introduction to NVIDIA DGX B200 Systems":
        # - 8x B200 (1,440 GB), 2x Xeon 8570 with 56 cores each (112), 2 TB RAM (32 DIMMs),
        #   10U rackmount, "14.3 kW max." (six 3.3 kW PSUs, 5+1).
        # - Cluster: "4 x OSFP ports for 8 x NVIDIA ConnectX-7 Single Port Cards", InfiniBand up
        #   to 400 Gb/s.
        # - Storage/in-band: "2 x NVIDIA BlueField-3 DPU Dual Port Cards", each port up to
        #   400 Gb/s (one Ethernet, one InfiniBand port per card) -> 4 ports at 400 Gb/s.
        # - BMC: 1 GbE RJ45. Air-cooled (no liquid cooling in the user guide).
        NodeModel(
            name="hgx-b200-8gpu",
            product_name="NVIDIA DGX B200",
            gpu_model="b200",
            gpus_per_system=8,
            nodes_per_system=1,
            cpu_sockets=2,
            cpu_cores=112,
            memory_gib=2048,
            max_power_kw=14.3,
            rack_units=10,
            cooling=CoolingType.AIR,
            nics=(
                NicGroup(fabric=Fabric.COMPUTE, count=8, speed_gbps=400, model="ConnectX-7"),
                NicGroup(
                    fabric=Fabric.STORAGE,
                    count=4,
                    speed_gbps=400,
                    model="BlueField-3 DPU",
                ),
                NicGroup(
                    fabric=Fabric.MANAGEMENT,
                    count=1,
                    speed_gbps=1,
                    model="BMC 1GbE RJ45",
                ),
            ),
            source="https://docs.nvidia.com/dgx/dgxb200-user-guide/introduction-to-dgxb200.html",
        ),
        # NVIDIA DGX GB200 NVL72, one liquid-cooled rack = one system.
        # - 18x 1RU compute trays, "each with 2 Grace CPUs and 4 Blackwell GPUs" (72 GPUs,
        #   36 Grace), 9x NVLink switch trays; compute trays "cooled by liquid": DGX GB200 user
        #   guide, Hardware. Each tray runs its own OS image -> 18 Kubernetes nodes.
        # - Per tray "4x NVIDIA ConnectX-7 single port 400G OSFP NIC" (72 compute ports per rack)
        #   and "2x NVIDIA BlueField-3" (36 per rack; 400 Gb/s port rate unverified).
        # - 72 Arm Neoverse V2 cores per Grace (2,592 per rack): NVIDIA/Crusoe MLPerf system
        #   description ("host_processor_core_count": 144 per 2-Grace tray).
        # - Up to 480 GB LPDDR5X per Grace (36 x 480 = 17,280 GB, NVIDIA's "up to 17 TB"):
        #   third-party summaries (yobitel, fibermall) - unverified against an NVIDIA datasheet.
        # - 120 kW: NVIDIA's figure for the rack at GTC 2024 as reported by ServeTheHome ("the
        #   120kW flagship system"); the DGX SuperPOD GB200 RA only gives 1.2 MW per 8-rack
        #   scalable unit. Not from a datasheet - treat as best public figure.
        # - 48U: unverified (no NVIDIA or OEM rack height found); a rack-scale system takes the
        #   whole rack either way.
        # - BMC ports (one 1 GbE per tray) unverified.
        NodeModel(
            name="gb200-nvl72",
            product_name="NVIDIA DGX GB200 NVL72",
            gpu_model="gb200",
            gpus_per_system=72,
            nodes_per_system=18,
            cpu_sockets=36,
            cpu_cores=2592,
            memory_gib=17280,
            max_power_kw=120.0,
            rack_units=48,
            cooling=CoolingType.DIRECT_LIQUID,
            nics=(
                NicGroup(fabric=Fabric.COMPUTE, count=72, speed_gbps=400, model="ConnectX-7"),
                NicGroup(
                    fabric=Fabric.STORAGE,
                    count=36,
                    speed_gbps=400,
                    model="BlueField-3 DPU",
                ),
                NicGroup(fabric=Fabric.MANAGEMENT, count=18, speed_gbps=1, model="BMC 1GbE"),
            ),
            unverified=(
                "memory_gib: 480 GB LPDDR5X per Grace from third-party summaries",
                "max_power_kw: 120 kW is NVIDIA's GTC 2024 figure as reported by ServeTheHome, not a datasheet",
                "rack_units: no NVIDIA or OEM rack height found; the system takes its whole rack",
                "nics: the BlueField-3 port rate and one 1 GbE BMC port per tray are not confirmed",
            ),
            source=_cite(
                "https://docs.nvidia.com/dgx/dgxgb200-user-guide/hardware.html",
                (
                    "https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-"
                    "infrastructure-gb200/latest/dgx-superpod-architecture.html"
                ),
                (
                    "https://raw.githubusercontent.com/mlcommons/inference_results_v6.1/main/"
                    "closed/Crusoe/systems/GB200-NVL72_GB200-186GB_aarch64x16_Dynamo.json"
                ),
                "https://servethehome.com/?p=76755",
                "https://www.yobitel.com/knowledge-base/nvidia-gb200",
                "https://www.fibermall.com/blog/in-depth-analysis-for-nvidia-gb200.htm",
            ),
        ),
        # NVIDIA HGX B300 8-GPU server (DGX B300 class), Blackwell Ultra.
        # - 8x B300 (GPU catalog), NVLink 5 within the board; GPU Operator v25.10.0 added HGX B300
        #   (NVIDIA/cloud-native-docs gpu-operator/release-notes.rst).
        # - Every system figure below (CPU, RAM, 14.5 kW, 10U, eight 800 Gb/s ConnectX-8 SuperNIC
        #   ports, two dual-port BlueField-3) is the DGX B300 configuration as commonly quoted; no
        #   NVIDIA document with them was retrieved here - unverified.
        NodeModel(
            name="hgx-b300-8gpu",
            product_name="NVIDIA HGX B300 8-GPU (DGX B300 class)",
            gpu_model="b300",
            gpus_per_system=8,
            nodes_per_system=1,
            cpu_sockets=2,
            cpu_cores=128,
            memory_gib=2048,
            max_power_kw=14.5,
            rack_units=10,
            cooling=CoolingType.AIR,
            nics=(
                NicGroup(fabric=Fabric.COMPUTE, count=8, speed_gbps=800, model="ConnectX-8 SuperNIC"),
                NicGroup(fabric=Fabric.STORAGE, count=4, speed_gbps=200, model="BlueField-3 DPU"),
                NicGroup(fabric=Fabric.MANAGEMENT, count=1, speed_gbps=1, model="BMC 1GbE RJ45"),
            ),
            unverified=(
                "cpu_cores: DGX B300 class figure, no NVIDIA document retrieved",
                "memory_gib: DGX B300 class figure, no NVIDIA document retrieved",
                "max_power_kw: DGX B300 class figure, no NVIDIA document retrieved",
                "rack_units: DGX B300 class figure, no NVIDIA document retrieved",
                "nics: eight 800 Gb/s ConnectX-8 ports and the storage DPUs are not confirmed",
            ),
            source=_cite(
                (
                    "https://github.com/NVIDIA/cloud-native-docs/blob/52dcb7b8d956784344e241df476de17094a4574c/"
                    "gpu-operator/release-notes.rst"
                ),
                "https://huggingface.co/hardware/b300",
            ),
        ),
        # NVIDIA GB300 NVL72, one liquid-cooled rack = one system, the GB200 NVL72 layout with
        # Blackwell Ultra: 18 compute trays of 2 Grace + 4 GPUs (18 Kubernetes nodes, one NVLink
        # domain of 72 GPUs), host software per DGX GB300 NVL72 release notes (driver 580.126.20,
        # IMEX). CX8 NICs per the same release notes' firmware bundle (ConnectX-8, "CX8 N/S").
        # Rack power (about 135 kW), memory and NIC counts are GB200 NVL72's shape carried over -
        # unverified.
        NodeModel(
            name="gb300-nvl72",
            product_name="NVIDIA GB300 NVL72",
            gpu_model="gb300",
            gpus_per_system=72,
            nodes_per_system=18,
            cpu_sockets=36,
            cpu_cores=2592,
            memory_gib=17280,
            max_power_kw=135.0,
            rack_units=48,
            cooling=CoolingType.DIRECT_LIQUID,
            nics=(
                NicGroup(fabric=Fabric.COMPUTE, count=72, speed_gbps=800, model="ConnectX-8 SuperNIC"),
                NicGroup(fabric=Fabric.STORAGE, count=36, speed_gbps=400, model="BlueField-3 DPU"),
                NicGroup(fabric=Fabric.MANAGEMENT, count=18, speed_gbps=1, model="BMC 1GbE"),
            ),
            unverified=(
                "max_power_kw: about 135 kW per rack from third-party reports, not a datasheet",
                "memory_gib: GB200 NVL72's 480 GB per Grace carried over",
                "rack_units: no NVIDIA or OEM rack height found; the system takes its whole rack",
                "nics: 800 Gb/s ConnectX-8 per GPU and the DPU and BMC counts are GB200's shape carried over",
            ),
            source=_cite(
                "https://docs.nvidia.com/dgx/dgxgb300nvl72-release-notes/package-contents.html",
                (
                    "https://github.com/NVIDIA/cloud-native-docs/blob/52dcb7b8d956784344e241df476de17094a4574c/"
                    "gpu-operator/release-notes.rst"
                ),
            ),
        ),
        # Supermicro SYS-521GE-TNRT with 8x NVIDIA L40S: a PCIe inference server.
        # - 5U, 8 GPUs (chassis takes up to 10), L40S at 350 W each, PCIe-only (no NVLink),
        #   dual Intel Xeon, "typically using power in the 4.3-5kW range": ServeTheHome's
        #   hands-on with this exact server. 5.0 kW is that upper bound, not Supermicro's PSU
        #   rating (not found) - unverified as a maximum.
        # - CPU cores (2x 56-core 4th Gen Xeon), 1 TB RAM and the NIC complement (one 400 Gb/s
        #   ConnectX-7 per two GPUs, one dual-port 200 Gb/s ConnectX-7 for storage) are a
        #   representative build, configuration-dependent and unverified.
        NodeModel(
            name="l40s-pcie-8gpu",
            product_name="Supermicro SYS-521GE-TNRT with 8x NVIDIA L40S",
            gpu_model="l40s",
            gpus_per_system=8,
            nodes_per_system=1,
            cpu_sockets=2,
            cpu_cores=112,
            memory_gib=1024,
            max_power_kw=5.0,
            rack_units=5,
            cooling=CoolingType.AIR,
            nics=(
                NicGroup(fabric=Fabric.COMPUTE, count=4, speed_gbps=400, model="ConnectX-7"),
                NicGroup(fabric=Fabric.STORAGE, count=2, speed_gbps=200, model="ConnectX-7"),
                NicGroup(
                    fabric=Fabric.MANAGEMENT,
                    count=1,
                    speed_gbps=1,
                    model="BMC 1GbE RJ45",
                ),
            ),
            unverified=(
                "max_power_kw: 5.0 kW is the top of a measured range, not the PSU rating",
                "cpu_cores: a representative build, configuration-dependent",
                "memory_gib: a representative build, configuration-dependent",
                "nics: a representative build, configuration-dependent",
            ),
            source=(
                "https://servethehome.com/nvidia-l40s-is-the-nvidia-h100-ai-alternative-with-"
                "a-big-benefit-supermicro/2"
            ),
        ),
    )
)
