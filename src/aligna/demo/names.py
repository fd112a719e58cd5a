"""Names for the demo organisation: the company, its people and the towns it works in."""

from __future__ import annotations

COMPANY_NAME = "Tidewell Pumps"
COMPANY_ID = "tidewell"
EMAIL_DOMAIN = "tidewell.example"  # .example is reserved: no mail ever leaves the demo

# A mixed, international workforce; ASCII only so that emails derive from names directly.
FIRST_NAMES: tuple[str, ...] = (
    "Aaliyah", "Abdul", "Ada", "Adrian", "Agnes", "Ahmed", "Aiko", "Aisha", "Alba", "Aleksander",
    "Alice", "Amara", "Amir", "Ana", "Anders", "Andrea", "Anika", "Anton", "Arjun", "Astrid",
    "Ayo", "Beatriz", "Ben", "Bianca", "Bjorn", "Bruno", "Camille", "Carla", "Carlos", "Chen",
    "Chiara", "Chloe", "Clara", "Dalia", "Daniel", "Dario", "David", "Deepa", "Diego", "Dimitri",
    "Elena", "Eli", "Elif", "Emeka", "Emil", "Emma", "Erik", "Esra", "Eva", "Farah",
    "Fatima", "Felix", "Fiona", "Florin", "Freya", "Gabriel", "Grace", "Hana", "Hannah", "Hassan",
    "Helena", "Hugo", "Ibrahim", "Ida", "Ines", "Ingrid", "Isaac", "Ivan", "Jakob", "James",
    "Jana", "Javier", "Jin", "Joao", "Jonas", "Julia", "Kai", "Karim", "Kasia", "Kenji",
    "Kofi", "Lars", "Laura", "Leila", "Lena", "Leon", "Lina", "Lucas", "Lucia", "Luis",
    "Maja", "Malik", "Marco", "Maria", "Marta", "Mateo", "Maya", "Mehmet", "Mei", "Mia",
    "Mikael", "Mina", "Nadia", "Naomi", "Nico", "Nina", "Noah", "Nora", "Olga", "Oliver",
    "Omar", "Oskar", "Paolo", "Pia", "Priya", "Rafael", "Rahul", "Rania", "Rosa", "Ruben",
    "Sakura", "Samir", "Sara", "Sebastian", "Selin", "Sofia", "Sven", "Tariq", "Tessa", "Theo",
    "Tomas", "Uma", "Valentina", "Victor", "Vera", "Wei", "Yara", "Yusuf", "Zainab", "Zoe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abara", "Achterberg", "Adeyemi", "Alvarez", "Andersen", "Arslan", "Bakker", "Banerjee",
    "Barros", "Becker", "Berg", "Bianchi", "Blom", "Bondarenko", "Brennan", "Carvalho", "Castillo",
    "Chen", "Costa", "Dahl", "Dimitrov", "Dubois", "Duarte", "Eriksen", "Esposito", "Evans",
    "Fischer", "Fontaine", "Garcia", "Gomez", "Gruber", "Haddad", "Hansen", "Hartmann", "Hoffmann",
    "Horvat", "Hughes", "Ibrahim", "Ivanova", "Jansen", "Jensen", "Kaminski", "Kaya", "Keller",
    "Kim", "Kowalski", "Kumar", "Laine", "Larsen", "Laurent", "Lee", "Lindqvist", "Lopez",
    "Lund", "Macias", "Mahmoud", "Marin", "Martins", "Mendes", "Meyer", "Moreau", "Morales",
    "Mueller", "Murphy", "Nakamura", "Navarro", "Nguyen", "Nielsen", "Novak", "Nowak", "Okafor",
    "Okoro", "Olsen", "Osei", "Ozturk", "Papadopoulos", "Park", "Patel", "Pereira", "Petrov",
    "Popescu", "Quinn", "Rahman", "Ramos", "Rasmussen", "Reyes", "Ricci", "Rossi", "Russo",
    "Sato", "Schmidt", "Schneider", "Silva", "Singh", "Sokolov", "Suzuki", "Svensson", "Tanaka",
    "Tran", "Varga", "Vasquez", "Verhoeven", "Virtanen", "Wagner", "Walsh", "Wang", "Weber",
    "Wojcik", "Yamamoto", "Yildiz", "Young", "Zhang", "Zielinski",
)  # fmt: skip

# Fictional towns for plants, depots, service centres and sales areas.
TOWNS: tuple[str, ...] = (
    "Alderbury", "Brackenford", "Caldermoor", "Dunmere", "Eastwick", "Fenhollow", "Glenholm",
    "Harrowby", "Ivelstone", "Juniper Cross", "Kestwick", "Larchmont", "Millbrook", "Northwold",
    "Oakhaven", "Pebbleton", "Quarrington", "Redwater", "Stillbrook", "Thornbury", "Upperdale",
    "Valebridge", "Westmere", "Yarrowfield", "Ashcombe", "Birchley", "Coldspring", "Deepford",
    "Elmstead", "Foxley", "Greywell", "Hollinsby", "Inchmore", "Kingsreach", "Lowmarsh",
    "Marlow End", "Netherby", "Otterburn", "Pinecliff", "Rushmere",
)  # fmt: skip
