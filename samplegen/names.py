"""Realistic village (thôn, xóm, bản, tổ dân phố) and people names."""

from __future__ import annotations

import random

from .util import fold, name_key, old_tone

FIRST = (
    "Nà Na Khuổi Bản Pác Phiêng Cốc Khau Lũng Đồng Làng Gò Bãi Đèo Khe Mỏ Suối Hạ Thượng Trung Tân Cây "
    "Cầu Ao Văn Minh Phú Hòa Xuân Quang Bình Vai Khâu Đầm Tiền Hậu Đông Tây Chợ Kim Hồng Thanh Yên Cao "
    "Lập Hợp Nặm Pò Thẩm Búc Phja Lạc Vĩnh Sơn Đại Tiên Hà Quyết"
).split()
SECOND = (
    "Thành Hòa Thủy Mới Tiến Cũ Giáo Quang Lợi Sơn Bình An Xuân Lập Hưng Phong Phú Thịnh Tâm Kim Vượng "
    "Đình Chùa Gạo Mu Luông Chang Cọ Tấu Pục Rẹt Thông Ngõ Mua Cày Giăng Vằn Lâm Khản Mận Quýt Trung Soi "
    "Thắng Cường Quy Vũ Phố Đồi Chè Tre Mít Đa Bàng Hội Thái Yên Long Hà Khê Đoàn Kết Nội Ngoại Lùng "
    "Nưa Pài Khoang Vèn Mòn Coóc Toòng Ngòa Hoà Khỏe Nà Tày"
).split()
WARD_NAMES = (
    "Đồng Tâm, Phú Xá, Tân Lập, Trung Thành, Quyết Thắng, Hòa Bình, Thống Nhất, Bắc Sơn, Nam Sơn, "
    "Đông Xuân, Cam Giá, Hương Sơn, Tích Lương, Đồng Quang, Gia Sàng, Túc Duyên, Minh Cầu, Chiến Thắng, "
    "Phố Cò, Bãi Bông, Ba Hàng, Mỏ Chè, Cải Đan, Thắng Lợi, Tân Thịnh, Đoàn Kết, Hùng Vương, Trưng Vương"
).split(", ")
SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Hà Nông Ma Lương Đặng Triệu Lục Bế Vi Dương Đỗ Vũ Ngô Lý Hứa Mông".split()
MIDDLE_M = "Văn Đức Minh Hữu Quang Xuân Ngọc Thanh".split()
MIDDLE_F = "Thị Thu Thanh Ngọc Hồng Minh".split()
GIVEN_M = "Hùng Hòa Tuấn Dũng Thắng Cường Quân Hải Sơn Long Trung Thành Bình Nam Huy Khánh Hưng Tiến Toàn".split()
GIVEN_F = "Lan Hương Hoa Thủy Hằng Mai Nga Thảo Huyền Yến Liên Dung Hạnh Nhung Vân".split()


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _proper(rng: random.Random) -> str:
    first = rng.choice(FIRST)
    second = rng.choice(SECOND)
    while fold(second) == fold(first):
        second = rng.choice(SECOND)
    return f"{first} {second}"


def village_names(rng: random.Random, n: int, ward: bool = False, style: str | None = None) -> list[str]:
    """n village names, unique by name_key (NFC, tone placement, case); accents stay distinct.

    Styles: "proper" (Nà Thành, Khâu Giáo 1, ...), "xom" (Xóm 1, Xóm Đình, ...),
    "thon" (Thôn 1 ... mixed with proper names), "tdp" (Tổ dân phố 1, TDP Phú Xá ...).
    """
    if style is None:
        style = "tdp" if ward else rng.choices(["proper", "xom", "thon"], weights=[6, 2, 2])[0]
    old_style = rng.random() < 0.3  # this office types the old tone placement (Hoà, Thuỷ)
    out: list[str] = []
    keys: set[str] = set()

    def add(name: str) -> bool:
        if old_style:
            name = old_tone(name)
        key = name_key(name)
        if key in keys or len(out) >= n:
            return False
        keys.add(key)
        out.append(name)
        return True

    if style == "tdp":
        named = rng.random() < 0.3
        numbers = list(range(1, n + 1 + rng.randint(0, 4)))
        rng.shuffle(numbers)
        numbers = sorted(numbers[:n])
        pattern = rng.choice(["Tổ dân phố {}", "Tổ dân phố {}", "TDP {}", "TDP số {}", "Tổ {}"])
        named_prefix = "Tổ dân phố" if pattern.startswith("Tổ dân phố") else "TDP"
        for num in numbers:
            if named and rng.random() < 0.35 and add(f"{named_prefix} {rng.choice(WARD_NAMES)}"):
                continue
            add(pattern.format(num))
        while len(out) < n:
            add(f"{named_prefix} {_proper(rng)}")
        return out
    if style == "xom":
        count = rng.randint(n // 2, n)
        for num in range(1, count + 1):
            add(f"Xóm {num}")
        while len(out) < n:
            add(f"Xóm {rng.choice(SECOND)}")
        return out
    if style == "thon":
        count = rng.randint(n // 3, max(n // 3, n - 2))
        for num in range(1, count + 1):
            add(f"Thôn {num}")
    while len(out) < n:
        name = _proper(rng)
        if rng.random() < 0.12 and len(out) + 2 <= n:
            k = rng.randint(2, 3)
            added = [add(f"{name} {i}") for i in range(1, k + 1)]
            if not any(added):
                continue
        else:
            add(name)
    return out
