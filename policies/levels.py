"""Title levels of the engineering series: canonical codes, order and Chinese names."""

from typing import Dict, List

LEVEL_ORDER: List[str] = ["technician", "assistant_engineer", "engineer", "senior_engineer"]
LEVEL_NAMES: Dict[str, str] = {
    "technician": "技术员",
    "assistant_engineer": "助理工程师",
    "engineer": "工程师",
    "senior_engineer": "高级工程师",
}
