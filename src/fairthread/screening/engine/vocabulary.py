"""Word tables the engine uses: abbreviations, legal-form words, generic and place words, Chinese words.

These are fairthread's own tables (written for supplier screening), not copied from any other project.
Every token here is in the engine's normalised form: casefolded ASCII, no punctuation.
"""

from __future__ import annotations

# Abbreviations and spelling variants -> one canonical token (applied to both sides, so they compare equal).
ABBREVIATIONS: dict[str, str] = {
    "chem": "chemical", "chems": "chemical", "chemicals": "chemical", "chemistry": "chemical",
    "intl": "international", "int": "international", "internat": "international", "inter": "international",
    "tex": "textile", "text": "textile", "textiles": "textile", "txt": "textile",
    "mfg": "manufacturing", "mfr": "manufacturing", "manuf": "manufacturing", "manufacture": "manufacturing",
    "manufacturer": "manufacturing", "manufacturers": "manufacturing",
    "ind": "industry", "inds": "industry", "indus": "industry", "industries": "industry",
    "industrial": "industry", "industrials": "industry",
    "tech": "technology", "techn": "technology", "technologies": "technology", "technological": "technology",
    "mach": "machinery", "machine": "machinery", "machines": "machinery",
    "prod": "products", "prods": "products", "product": "products",
    "eng": "engineering", "engg": "engineering",
    "dev": "development", "devt": "development",
    "agri": "agriculture", "agric": "agriculture", "agricultural": "agriculture",
    "trdg": "trading", "trade": "trading",
    "grp": "group",
    "hldg": "holding", "hldgs": "holding", "holdings": "holding",
    "natl": "national",
    "sci": "science", "scitech": "science technology",
    "pharm": "pharmaceutical", "pharma": "pharmaceutical", "pharmaceuticals": "pharmaceutical",
    "equip": "equipment",
    "mgmt": "management",
    "svc": "services", "svcs": "services", "service": "services",
    "apparels": "apparel", "garments": "garment", "fabrics": "fabric", "knits": "knit", "knitting": "knit",
    "knitwear": "knit", "mills": "mill", "works": "works", "factories": "factory", "fty": "factory",
    "elec": "electric", "electrical": "electric", "electronic": "electronics",
    "mat": "materials", "matl": "materials", "material": "materials",
    "export": "exports", "exp": "exports", "imp": "imports", "import": "imports",
    "silicone": "silicon", "hair": "hair", "accessory": "accessories",
    "plant": "factory", "plants": "factory", "mfy": "factory",
    "dept": "department", "univ": "university", "assn": "association", "assoc": "association",
    "bros": "brothers", "mt": "mount", "st": "saint",
    "ctr": "center", "centre": "center", "cntr": "center",
    "no": "number", "nr": "number", "num": "number",
    # Xinjiang place names: exonyms and pinyin spellings compare equal.
    "urumqi": "wulumuqi", "urumchi": "wulumuqi", "kashgar": "kashi", "hotan": "hetian", "khotan": "hetian",
    "aksu": "akesu", "korla": "kuerle", "turpan": "tulufan", "turfan": "tulufan", "kumul": "hami",
    "aral": "alaer", "karamay": "kelamayi", "ghulja": "yining", "ili": "yili", "altay": "aletai",
    "yarkand": "shache", "kargilik": "yecheng", "karakax": "moyu", "keriya": "yutian", "lop": "luopu",
    "junggar": "zhungeer", "dzungar": "zhungeer", "dzungaria": "zhungeer",
    "uyghur": "uygur", "uighur": "uygur", "weiwuer": "uygur",
}

# Words that are legal forms in themselves (after rigour's org-type rewrite, which handles "Co., Ltd.",
# "GmbH", "ООО", "Aktiengesellschaft", ...): dropped from the name and kept as the legal-form type.
LEGAL_TOKENS: dict[str, str] = {
    "llc": "limited company", "jsc": "limited company", "ltd": "limited company", "limited": "limited company",
    "coltd": "limited company", "plc": "limited company", "pvt": "limited company", "pte": "limited company",
    "bhd": "limited company", "berhad": "limited company", "sdn": "limited company", "tbk": "limited company",
    "private": "limited company", "ooo": "limited company", "oao": "limited company", "zao": "limited company",
    "pjsc": "limited company", "ojsc": "limited company", "cjsc": "limited company", "doo": "limited company",
    "gmbh": "limited company", "ag": "limited company", "sa": "limited company", "srl": "limited company",
    "spa": "limited company", "bv": "limited company", "nv": "limited company", "kk": "limited company",
    "as": "limited company", "ab": "limited company", "oy": "limited company", "sarl": "limited company",
    "sas": "limited company", "ltda": "limited company", "sl": "limited company", "pty": "limited company",
    "inc": "corporation", "corp": "corporation", "corporation": "corporation", "incorporated": "corporation",
    "co": "company", "company": "company", "cos": "company",
    # legal forms written in pinyin ("Youxian Gongsi" = 有限公司)
    "youxian": "limited company", "gongsi": "company", "gufen": "limited company", "zeren": "limited company",
    "youxiangongsi": "limited company", "gufenyouxiangongsi": "limited company",
    "youxianzerengongsi": "limited company",
    "lp": "partnership", "llp": "partnership", "partnership": "partnership", "kg": "partnership",
    "pt": "limited company", "cv": "partnership",
}
# Legal-form words that are never part of a trade name: removed wherever they stand (short ones such as
# "sa", "as", "pt" are removed only at either end of the name).
LEGAL_ANYWHERE: frozenset[str] = frozenset({
    "llc", "jsc", "ltd", "limited", "coltd", "plc", "pvt", "pte", "bhd", "berhad", "sdn", "tbk", "ooo", "oao",
    "zao", "pjsc", "ojsc", "cjsc", "doo", "gmbh", "srl", "sarl", "ltda", "pty", "inc", "corp", "corporation",
    "incorporated", "co", "company", "llp", "youxian", "gongsi", "gufen", "zeren", "youxiangongsi",
    "gufenyouxiangongsi", "youxianzerengongsi",
})
# Legal-form types that are the same thing for screening (a Chinese 有限公司 is "Co., Ltd." in English).
LEGAL_FAMILY: dict[str, str] = {
    "limited company": "company", "corporation": "company", "company": "company", "partnership": "partnership",
}

# Joining words dropped before comparison.
STOPWORDS: frozenset[str] = frozenset({"and", "the", "of", "und", "et", "y", "de", "du", "des", "for", "a", "an"})

# Words that say what a business does, not which one it is: they count for less than the list's IDF says.
GENERIC: frozenset[str] = frozenset({
    "textile", "garment", "apparel", "clothing", "clothes", "fashion", "industry", "trading", "group",
    "manufacturing", "factory", "plant", "products", "imports", "exports", "international", "enterprise",
    "enterprises", "holding", "development", "technology", "knit", "weaving", "spinning", "dyeing", "printing",
    "fabric", "cotton", "wool", "silk", "leather", "footwear", "shoes", "shoe", "materials", "science",
    "investment", "services", "global", "new", "mill", "works", "chemical", "machinery", "food", "agriculture",
    "farm", "wear", "sportswear", "accessories", "home", "design", "overseas", "sourcing", "supply", "sewing",
    "embroidery", "label", "labels", "packaging", "washing", "denim", "jeans", "sweater", "sweaters",
    "linen", "yarn", "yarns", "fiber", "fibre", "dress", "dresses", "knitting", "commercial", "economic",
    "business", "co", "number", "city", "county", "district", "province", "region", "autonomous", "prefecture",
    "town", "village", "branch", "center", "general", "main", "first", "second", "third", "east", "west",
    "north", "south", "western", "eastern", "northern", "southern", "central", "garments", "export",
    "metal", "metals", "steel", "energy", "electric", "electronics", "equipment", "engineering", "handicrafts",
    "pharmaceutical", "health", "import", "plastic", "plastics", "rubber", "appliance", "appliances",
    "solutions", "systems", "private", "industries",
})

# Places: they tell where a business is, not which one. Weighted down like generic words.
PLACES: frozenset[str] = frozenset({
    "china", "chinese", "xinjiang", "uygur", "guangdong", "jiangsu", "zhejiang", "shandong", "fujian", "shanghai",
    "beijing", "tianjin", "shenzhen", "guangzhou", "dongguan", "ningbo", "hangzhou", "suzhou", "wuxi", "qingdao",
    "xiamen", "hebei", "henan", "hubei", "hunan", "anhui", "jiangxi", "sichuan", "yunnan", "guangxi",
    "liaoning", "jilin", "heilongjiang", "shaanxi", "shanxi", "gansu", "qinghai", "ningxia", "mongolia",
    "inner", "hainan", "chongqing", "hong", "kong", "hongkong", "taiwan", "shenyang", "chengdu", "foshan",
    "shaoxing", "changzhou", "nantong", "jiaxing", "huzhou", "wenzhou", "quanzhou", "jinjiang", "putian",
    "vietnam", "bangladesh", "india", "pakistan", "dhaka", "chittagong", "gazipur", "narayanganj", "savar",
    "ashulia", "tirupur", "tiruppur", "bangalore", "bengaluru", "delhi", "noida", "gurgaon", "mumbai",
    "karachi", "lahore", "faisalabad", "sialkot", "istanbul", "turkey", "cambodia", "phnom", "penh",
    "indonesia", "jakarta", "bandung", "thailand", "bangkok", "malaysia", "myanmar", "yangon", "sri", "lanka",
    "colombo", "egypt", "morocco", "tunisia", "portugal", "italy", "mexico", "guatemala", "honduras",
    "hanoi", "haiphong", "saigon", "hcm", "binh", "duong", "dong", "nai", "asia", "pacific",
    "europe", "america", "usa",
    # Xinjiang (canonical pinyin forms after ABBREVIATIONS)
    "wulumuqi", "kashi", "hetian", "akesu", "kuerle", "tulufan", "hami", "shihezi", "changji", "alaer",
    "kelamayi", "bole", "kuitun", "yining", "yili", "luopu", "moyu", "pishan", "yutian", "shache",
    "yecheng", "shule", "aletai", "tacheng", "bayingolin", "bazhou", "kezhou", "fukang", "shanshan",
})

# Place words that put an address (or an entity) in the Xinjiang Uyghur Autonomous Region.
XINJIANG: frozenset[str] = frozenset({
    "xinjiang", "uygur", "wulumuqi", "kashi", "hetian", "akesu", "kuerle", "tulufan", "hami", "shihezi",
    "changji", "alaer", "kelamayi", "bole", "kuitun", "yining", "yili", "luopu", "moyu", "pishan", "yutian",
    "shache", "yecheng", "shule", "aletai", "tacheng", "xuar", "bingtuan", "xpcc",
})

# Chinese words: (characters, English tokens or "" for place names, legal-form type or "").
# The pinyin of each word is computed with pypinyin; the English reading is an alternative form.
CHINESE_WORDS: tuple[tuple[str, str, str], ...] = (
    ("股份有限公司", "", "limited company"), ("有限责任公司", "", "limited company"),
    ("有限公司", "", "limited company"), ("股份公司", "", "limited company"), ("公司", "", "company"),
    ("维吾尔自治区", "uygur autonomous region", ""), ("自治区", "autonomous region", ""),
    ("生产建设兵团", "production construction corps", ""), ("兵团", "corps", ""),
    ("化学", "chemical", ""), ("化工", "chemical", ""), ("纺织", "textile", ""), ("棉纺", "cotton spinning", ""),
    ("毛纺", "wool spinning", ""), ("棉麻", "cotton linen", ""), ("棉业", "cotton", ""), ("棉花", "cotton", ""),
    ("亚麻", "linen", ""), ("服装", "garment", ""), ("服饰", "apparel", ""), ("制衣", "garment", ""),
    ("针织", "knit", ""), ("印染", "printing dyeing", ""), ("鞋业", "footwear", ""), ("皮革", "leather", ""),
    ("硅业", "silicon industry", ""), ("实业", "industry", ""), ("工业", "industry", ""),
    ("产业", "industry", ""), ("贸易", "trading", ""), ("商贸", "trading", ""), ("进出口", "imports exports", ""),
    ("集团", "group", ""), ("科技", "technology", ""), ("技术", "technology", ""), ("农业", "agriculture", ""),
    ("机械", "machinery", ""), ("发展", "development", ""), ("投资", "investment", ""),
    ("新能源", "new energy", ""), ("能源", "energy", ""), ("电子", "electronics", ""), ("材料", "materials", ""),
    ("发制品", "hair products", ""), ("制品", "products", ""), ("产品", "products", ""), ("食品", "food", ""),
    ("番茄", "tomato", ""), ("光伏", "photovoltaic", ""), ("有色金属", "nonferrous metals", ""),
    ("金属", "metal", ""), ("钢铁", "steel", ""), ("铝业", "aluminium", ""), ("监狱", "prison", ""),
    ("农场", "farm", ""), ("牧场", "ranch", ""), ("工艺品", "handicrafts", ""), ("羊毛", "wool", ""),
    ("羊绒", "cashmere", ""), ("丝绸", "silk", ""), ("化纤", "chemical fiber", ""), ("纤维", "fiber", ""),
    ("粘胶", "viscose", ""), ("国际", "international", ""), ("控股", "holding", ""), ("工厂", "factory", ""),
    ("总厂", "factory", ""), ("厂", "factory", ""), ("中国", "china", ""), ("市", "city", ""), ("县", "county", ""),
    ("省", "province", ""), ("地区", "prefecture", ""), ("内蒙古", "inner mongolia", ""),
    ("发饰", "hair accessories", ""), ("制造", "manufacturing", ""), ("产业园", "industrial park", ""),
    ("工业园", "industrial park", ""), ("园区", "park", ""), ("橡胶", "rubber", ""), ("塑料", "plastics", ""),
    ("果蔬", "fruits vegetables", ""), ("蔬菜", "vegetables", ""), ("水果", "fruits", ""),
    ("农工贸", "agriculture industry trading", ""), ("工贸", "industry trading", ""), ("重型", "heavy duty", ""),
    ("锻压", "forging pressing", ""), ("机床", "machine tools", ""), ("木制品", "wood products", ""),
    ("木业", "wood", ""), ("林业", "forestry", ""), ("渔业", "fishery", ""), ("远洋", "ocean", ""),
    ("水产", "aquatic products", ""), ("捕捞", "fishing", ""), ("养殖", "breeding", ""), ("养牛场", "cattle farm", ""),
    ("畜牧", "livestock", ""), ("乳业", "dairy", ""), ("糖业", "sugar", ""), ("棉纺织", "cotton textile", ""),
    ("毛纺织", "wool textile", ""), ("纺纱", "spinning", ""), ("织造", "weaving", ""), ("染整", "dyeing finishing", ""),
    ("服装厂", "garment factory", ""), ("制衣厂", "garment factory", ""), ("鞋厂", "shoe factory", ""),
    ("箱包", "bags luggage", ""), ("手套", "gloves", ""), ("玩具", "toys", ""), ("家纺", "home textile", ""),
    ("床上用品", "bedding", ""), ("毛巾", "towels", ""), ("袜业", "socks", ""), ("内衣", "underwear", ""),
    ("羽绒", "down", ""), ("生物", "biological", ""), ("生物科技", "biotech", ""), ("医药", "pharmaceutical", ""),
    ("药业", "pharmaceutical", ""), ("电器", "electrical appliances", ""), ("电气", "electric", ""),
    ("光电", "optoelectronics", ""), ("信息", "information", ""), ("软件", "software", ""), ("网络", "network", ""),
    ("物流", "logistics", ""), ("运输", "transport", ""), ("建设", "construction", ""), ("建筑", "construction", ""),
    ("矿业", "mining", ""), ("煤业", "coal", ""), ("煤电", "coal power", ""), ("电力", "power", ""),
    ("石油", "petroleum", ""), ("化肥", "fertilizer", ""), ("水泥", "cement", ""), ("玻璃", "glass", ""),
    ("陶瓷", "ceramics", ""), ("包装", "packaging", ""), ("印刷", "printing", ""), ("造纸", "paper", ""),
    ("家具", "furniture", ""), ("五金", "hardware", ""), ("汽车", "automobile", ""), ("配件", "parts", ""),
    ("零部件", "components", ""), ("轮胎", "tyres", ""), ("钢管", "steel pipe", ""), ("管件", "pipe fittings", ""),
    ("铸造", "casting", ""), ("制造厂", "manufacturing factory", ""), ("加工厂", "processing factory", ""),
    ("加工", "processing", ""), ("开发", "development", ""), ("管理", "management", ""), ("服务", "services", ""),
    ("咨询", "consulting", ""), ("劳务", "labour services", ""), ("人力资源", "human resources", ""),
    ("职业技能教育培训中心", "vocational skills education training center", ""),
    ("劳动教养", "reeducation through labor", ""), ("劳教所", "reeducation through labor camp", ""),
    ("硅", "silicon", ""), ("多晶硅", "polysilicon", ""), ("太阳能", "solar", ""), ("铝", "aluminium", ""),
    ("新疆", "", ""), ("乌鲁木齐", "", ""), ("喀什", "", ""), ("和田", "", ""), ("阿克苏", "", ""),
    ("库尔勒", "", ""), ("吐鲁番", "", ""), ("哈密", "", ""), ("石河子", "", ""), ("昌吉", "", ""),
    ("阿拉尔", "", ""), ("克拉玛依", "", ""), ("伊犁", "", ""), ("伊宁", "", ""), ("洛浦", "", ""),
    ("墨玉", "", ""), ("莎车", "", ""), ("叶城", "", ""), ("准噶尔", "", ""), ("天山", "", ""),
)
