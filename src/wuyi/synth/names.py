"""Word lists for plausible Chinese names of people and places. Pure Python, no Django.

Surname weights follow the order of the Ministry of Public Security's 2020 surname ranking
(王, 李, 张, 刘, 陈 … lead); the exact shares matter little, only that common surnames are common.
Every name is generated: none is meant to be a real person or a real compound.
"""

import random

# The hundred most common surnames, most common first; weight falls off with rank.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜"
    "崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")

MALE_GIVEN = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文海东亮成晨博峰彬锋"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲桂丹萍红玉兰琳雪婷倩颖慧佳琪欣怡婉莉梅晶璐瑶悦蓉菲洁薇月云彤妍雯"
NEUTRAL_GIVEN = "子思嘉梓家晓一佳雨紫浩宇俊天明文安心诗晨泽睿"

# Syllables that make up the names of estates, villages and communities.
PLACE_WORDS = (
    "锦绣 华侨 金海 翠竹 莲花 景田 香蜜 碧海 丽景 桂园 东湖 滨海 星河 万象 幸福 阳光 松坪 桃源 荔林 榕树 "
    "凤凰 梅林 鹿丹 海滨 银湖 天健 皇岗 新洲 益田 彩田 黄木 红荔 百花 园岭 华富 上步 振华 南园 福民 渔农 "
    "蛇口 后海 前海 科技 西丽 大冲 麒麟 龙珠 桃花 月亮 水围 沙头 翠海 鸿福 宝华 福永 沙井 松岗 石岩 西乡 "
    "新安 宝城 布吉 坂田 横岗 平湖 龙城 坪地 民治 大浪 观澜 龙胜 清湖 公明 玉塘 凤岗 碧岭 马峦 葵涌 南澳 "
    "大鹏 盐田 沙头角 梧桐 东晓 笋岗 清水 嘉宾 怡景 泥岗 长城 天安 金地 中海 万科 招商 华润 京基 卓越 鸿荣"
).split()
VILLAGE_FIRST = "上下新老东西南北大小黄白沙水岗坑田塘围岭湖洲头埔坳山"
VILLAGE_SECOND = "村围坑塘岭沙头湖田岗洲尾背角边坊"
ROADS = ("深南", "北环", "滨河", "红荔", "梅林", "宝安", "新城", "建设", "人民", "和平", "东门", "龙岗",
         "布龙", "机荷", "宝石", "沙河", "南海", "沿河", "泰然", "侨香", "福华", "金田", "振兴", "民乐")

GARDEN_SUFFIXES = ("花园", "花园", "花园", "苑", "华庭", "家园", "新村", "雅居", "名苑", "公馆")
OTHER_SUFFIXES = ("宿舍", "工业区宿舍", "公寓", "小区")
GATE_SIDES = ("东", "南", "西", "北")


def _surname_pool(rng: random.Random, size: int) -> list[str]:
    weights = [1.0 / (rank + 4) for rank in range(len(SURNAMES))]
    pool = rng.choices(SURNAMES, weights=weights, k=size)
    for i in range(0, size, 200):  # about one person in two hundred has a two-character surname
        pool[i] = rng.choice(COMPOUND_SURNAMES)
    return pool


def person_name_pools(rng: random.Random, size: int = 1 << 16) -> tuple[list[str], list[str]]:
    """Two pools of `size` full names (male, female), drawn from `rng`. `size` must be a power of two."""
    pools = []
    for given in (MALE_GIVEN + NEUTRAL_GIVEN, FEMALE_GIVEN + NEUTRAL_GIVEN):
        surnames = _surname_pool(rng, size)
        pool = []
        for surname in surnames:
            n = 1 if rng.random() < 0.3 else 2
            pool.append(surname + "".join(rng.choice(given) for _ in range(n)))
        pools.append(pool)
    return pools[0], pools[1]


class PlaceNamer:
    """Names for communities, compounds, roads and buildings; never the same place name twice in a run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        for _ in range(50):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        name = make() + str(len(self.used))
        self.used.add(name)
        return name

    def _words(self) -> str:
        a, b = self.rng.sample(PLACE_WORDS, 2)
        return a + b[0] if self.rng.random() < 0.5 else a

    def community(self) -> str:
        return self._unique(lambda: self._words() + "社区")

    def garden_estate(self) -> str:
        return self._unique(lambda: self._words() + self.rng.choice(GARDEN_SUFFIXES))

    def urban_village(self) -> str:
        rng = self.rng

        def make() -> str:
            middle = rng.choice(VILLAGE_SECOND) if rng.random() < 0.5 else ""
            return rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_FIRST + VILLAGE_SECOND) + middle + "村"

        return self._unique(make)

    def other(self) -> str:
        return self._unique(lambda: self._words() + self.rng.choice(OTHER_SUFFIXES))

    def road(self) -> str:
        return self.rng.choice(ROADS) + self.rng.choice(("路", "大道", "街"))
