"""Build the whole public site from the seed page's facts, in our own words.

Idempotent: items are found by slug and created only when missing, so staff edits survive a
second run; `--reset` puts every demo item back as it was. It creates no staff passwords.
"""

import datetime
import io
import zoneinfo
from decimal import Decimal
from typing import NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image, ImageDraw, ImageFont

from library.models import Document
from library.models import Image as LibraryImage
from news.models import Article, ItemDocument, Kind, NewsItem, Role
from pages.models import PageFigure, PagePoint, ProgramPage, SiteSettings
from partners.models import Country, Municipality, Partnership
from search.words import rebuild as rebuild_search_words
from website.blocks import HOME_PK
from website.models import BlockKind, HomeBlock, HomePage

# The date the seed page says it was updated: "Page Updated: 18/05/2016".
SEED_UPDATED = datetime.datetime(2016, 5, 18, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/Toronto"))


class Texts(NamedTuple):
    """A demo text in English, French and Khmer; None where it is not translated (readers then
    see the English, marked). The Khmer texts need a native speaker's review (README)."""

    en: str
    fr: str | None = None
    km: str | None = None


def columns(values):
    """Model field values, with each Texts spread over its language columns (title_en…)."""
    spread = {}
    for name, value in values.items():
        if isinstance(value, Texts):
            spread.update({f"{name}_{lang}": getattr(value, lang) for lang in Texts._fields})
        else:
            spread[name] = value
    return spread


SAMPLE_FILE_NOTE = Texts(
    "Sample file: the original is not included in the demo content",
    "Fichier d’exemple : l’original n’est pas inclus dans le contenu de démonstration",
    "ឯកសារគំរូ៖ ឯកសារដើមមិនមានក្នុងខ្លឹមសារសាកល្បងទេ",
)

SITE = {
    "site_name": Texts(
        "Municipal Partners for Economic Development",
        "Partenaires municipaux pour le développement économique",
        "ដៃគូក្រុងសម្រាប់ការអភិវឌ្ឍសេដ្ឋកិច្ច",
    ),
    "short_name": Texts("MPED", "PMDE", "MPED"),
    "tagline": Texts(
        "Canadian municipalities and Cambodia's National League of Communes/Sangkats "
        "working together on local economic development.",
        "Des municipalités canadiennes et la Ligue nationale des communes/sangkats du Cambodge "
        "unies pour le développement économique local.",
        "ក្រុងនានារបស់កាណាដា និងសម្ព័ន្ធជាតិឃុំ សង្កាត់ នៃកម្ពុជា ធ្វើការរួមគ្នាលើការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន។",
    ),
    "footer_text": Texts(
        "The Municipal Partners for Economic Development (MPED) program of the Federation of "
        "Canadian Municipalities, in Cambodia with the National League of Communes/Sangkats.",
        "Le programme Partenaires municipaux pour le développement économique (PMDE) de la "
        "Fédération canadienne des municipalités, au Cambodge avec la Ligue nationale des "
        "communes/sangkats.",
        "កម្មវិធីដៃគូក្រុងសម្រាប់ការអភិវឌ្ឍសេដ្ឋកិច្ច (MPED) របស់សហព័ន្ធក្រុងកាណាដា នៅកម្ពុជា ជាមួយសម្ព័ន្ធជាតិឃុំ សង្កាត់។",
    ),
}

# The seed page as home page blocks, in its order (website/blocks.py): the account prompt, the
# latest news, each program page's section in full, the Canadian partners.
HOME_TEXTS = {
    "account": {
        "text": Texts("Don't have an account?", "Vous n’avez pas de compte ?", "មិនទាន់មានគណនីមែនទេ?"),
        "link_text": Texts("Create one now", "Créez-en un maintenant", "បង្កើតគណនីឥឡូវនេះ"),
    },
    "news": {"heading": Texts("The latest", "Les dernières nouvelles", "ព័ត៌មានថ្មីៗ")},
    "partners": {
        "heading": Texts("Canadian partners", "Partenaires canadiens", "ដៃគូកាណាដា"),
        "text": Texts(
            "Four Canadian municipalities take part in the demonstration projects. "
            "Entries marked as samples stand in for partners the demo content does not name.",
            "Quatre municipalités canadiennes participent aux projets de démonstration. Les "
            "entrées marquées comme exemples tiennent la place des partenaires que le contenu de "
            "démonstration ne nomme pas.",
            "ក្រុងកាណាដាចំនួនបួនចូលរួមក្នុងគម្រោងសាកល្បង។ "
            "ធាតុដែលសម្គាល់ថាជាគំរូ ជំនួសដៃគូដែលខ្លឹមសារសាកល្បងមិនបានដាក់ឈ្មោះ។",
        ),
    },
}

PAGES = [
    {
        "slug": "led-framework",
        "title": Texts(
            "Providing a framework for local economic development",
            "Offrir un cadre au développement économique local",
            "ការផ្ដល់ក្របខណ្ឌសម្រាប់ការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន",
        ),
        "nav_title": Texts("LED framework", "Cadre du DEL", "ក្របខណ្ឌ LED"),
        "summary": Texts(
            "Why Cambodian local governments need a clearer mandate for local economic "
            "development, and how we help the league's member associations.",
            "Pourquoi les gouvernements locaux cambodgiens ont besoin d’un mandat plus clair en "
            "développement économique local, et comment nous aidons les associations membres de "
            "la Ligue.",
            "ហេតុអ្វីរដ្ឋបាលមូលដ្ឋានកម្ពុជាត្រូវការអាណត្តិច្បាស់លាស់ជាងនេះ "
            "លើការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន និងរបៀបដែលយើងជួយសមាគមសមាជិករបស់សម្ព័ន្ធ។",
        ),
        "body": Texts(
            "<p>Cambodia's local governments have a real part to play in local economic "
            "development (LED). Yet the national legislative framework leaves their economic "
            "development mandate unclear.</p>",
            "<p>Les gouvernements locaux du Cambodge ont un vrai rôle à jouer dans le "
            "développement économique local (DEL). Pourtant, le cadre législatif national laisse "
            "flou leur mandat en matière de développement économique.</p>",
        ),
        "points_intro": Texts(
            "Together with the National League of Communes/Sangkats (NLC/S), we help its "
            "member associations to:",
            "Avec la Ligue nationale des communes/sangkats (LNC/S), nous aidons ses associations "
            "membres à :",
        ),
        "points": [
            Texts(
                "Face the shortage of resources for building local infrastructure",
                "Faire face au manque de ressources pour construire les infrastructures locales",
            ),
            Texts(
                "Design and deliver services that help small and medium-sized businesses grow",
                "Concevoir et offrir des services qui aident les petites et moyennes entreprises "
                "à croître",
            ),
            Texts(
                "Put in place strategies that raise farm production away from the large towns",
                "Mettre en place des stratégies qui augmentent la production agricole loin des "
                "grandes villes",
            ),
            Texts(
                "Foster political leadership, above all among women and young people",
                "Favoriser le leadership politique, surtout chez les femmes et les jeunes",
            ),
        ],
    },
    {
        "slug": "mped-initiatives-in-cambodia",
        "title": Texts(
            "MPED initiatives in Cambodia",
            "Les initiatives du PMDE au Cambodge",
            "គំនិតផ្ដួចផ្ដើមរបស់ MPED នៅកម្ពុជា",
        ),
        "nav_title": Texts("Initiatives", "Initiatives", "គំនិតផ្ដួចផ្ដើម"),
        "summary": Texts(
            "Demonstration projects that show how good LED practice can be adapted across "
            "Cambodia.",
            "Des projets de démonstration qui montrent comment adapter les bonnes pratiques de "
            "DEL partout au Cambodge.",
            "គម្រោងសាកល្បងដែលបង្ហាញពីរបៀបសម្របការអនុវត្តល្អ នៃការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន នៅទូទាំងប្រទេសកម្ពុជា។",
        ),
        "body": Texts(
            "<p>Under the Municipal Partners for Economic Development (MPED) program we work "
            "with the National League of Communes/Sangkats (NLC/S) on demonstration projects. "
            "They show how proven ways of doing local economic development can be adapted and "
            "used throughout the country.</p>"
            "<p>Five Cambodian local governments and four Canadian municipalities take part. "
            "Every project starts with LED strategic planning.</p>",
            "<p>Dans le cadre du programme Partenaires municipaux pour le développement "
            "économique (PMDE), nous menons des projets de démonstration avec la Ligue nationale "
            "des communes/sangkats (LNC/S). Ils montrent comment des façons éprouvées de faire du "
            "développement économique local peuvent être adaptées et employées dans tout le "
            "pays.</p>"
            "<p>Cinq gouvernements locaux cambodgiens et quatre municipalités canadiennes y "
            "participent. Chaque projet commence par une planification stratégique du DEL.</p>",
        ),
        "figures": [
            (
                5,
                Texts(
                    "Cambodian local governments",
                    "gouvernements locaux cambodgiens",
                    "រដ្ឋបាលមូលដ្ឋានកម្ពុជា",
                ),
            ),
            (4, Texts("Canadian municipalities", "municipalités canadiennes", "ក្រុងកាណាដា")),
        ],
    },
    {
        "slug": "building-capacity",
        "title": Texts(
            "Building our partners' capacity",
            "Renforcer les capacités de nos partenaires",
            "ការកសាងសមត្ថភាពដៃគូរបស់យើង",
        ),
        "nav_title": Texts("Capacity building", "Renforcement des capacités", "ការកសាងសមត្ថភាព"),
        "summary": Texts(
            "Five areas where we help the league build its capacity for LED.",
            "Cinq domaines où nous aidons la Ligue à renforcer ses capacités en DEL.",
            "វិស័យប្រាំដែលយើងជួយសម្ព័ន្ធកសាងសមត្ថភាពលើការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន។",
        ),
        "body": Texts(
            "<p>Our goals follow those of the NLC/S Strategic Plan. With it in mind we chose "
            "five areas in which to strengthen the league's capacity for LED.</p>",
            "<p>Nos objectifs suivent ceux du plan stratégique de la LNC/S. C’est avec lui en "
            "tête que nous avons choisi cinq domaines où renforcer les capacités de la Ligue en "
            "DEL.</p>",
        ),
        "points_intro": Texts("We help the league by:", "Nous aidons la Ligue en :"),
        "points": [
            Texts(
                "Strengthening its leadership through better program governance and closer "
                "engagement with its members",
                "Renforçant son leadership par une meilleure gouvernance du programme et des "
                "liens plus étroits avec ses membres",
            ),
            Texts(
                "Supporting the 'mainstreaming' of gender equality and environmental "
                "sustainability in its members' projects",
                "Soutenant l’intégration systématique de l’égalité entre les femmes et les "
                "hommes et de la durabilité environnementale dans les projets de ses membres",
            ),
            Texts(
                "Raising awareness of LED among its members",
                "Faisant mieux connaître le DEL à ses membres",
            ),
            Texts(
                "Building its ability to research policy and to carry its members' needs to "
                "central and provincial ministries",
                "Développant sa capacité à étudier les politiques publiques et à porter les "
                "besoins de ses membres auprès des ministères centraux et provinciaux",
            ),
            Texts(
                "Securing its finances by preparing proposals that reach more funding sources "
                "and donors",
                "Assurant ses finances par des propositions qui touchent davantage de sources de "
                "financement et de donateurs",
            ),
        ],
    },
    {
        "slug": "about-the-league",
        "title": Texts(
            "About the National League of Communes/Sangkats",
            "À propos de la Ligue nationale des communes/sangkats",
            "អំពីសម្ព័ន្ធជាតិឃុំ សង្កាត់",
        ),
        "nav_title": Texts("The league", "La Ligue", "សម្ព័ន្ធ"),
        "summary": Texts(
            "The voluntary organization of Cambodia's provincial associations of councils.",
            "L’organisation à adhésion volontaire des associations provinciales de conseils du "
            "Cambodge.",
            "អង្គការស្ម័គ្រចិត្តនៃសមាគមក្រុមប្រឹក្សាថ្នាក់ខេត្តនានានៃកម្ពុជា។",
        ),
        "body": Texts(
            "<p>The National League of Communes/Sangkats (NLC/S) is a voluntary organization. "
            "It represents the provincial associations of every Cambodian province, and through "
            "them the country's local elected councils.</p>",
            "<p>La Ligue nationale des communes/sangkats (LNC/S) est une organisation à adhésion "
            "volontaire. Elle représente les associations provinciales de toutes les provinces "
            "du Cambodge et, par elles, les conseils locaux élus du pays.</p>",
        ),
        "figures": [
            (24, Texts("Cambodian provinces", "provinces cambodgiennes", "ខេត្តនៃកម្ពុជា")),
            (
                1621,
                Texts(
                    "local elected councils",
                    "conseils locaux élus",
                    "ក្រុមប្រឹក្សាមូលដ្ឋានជាប់ឆ្នោត",
                ),
            ),
        ],
        "link_text": Texts(
            "For more information, visit the NLC/S website",
            "Pour en savoir plus, visitez le site Web de la LNC/S",
            "សម្រាប់ព័ត៌មានបន្ថែម សូមចូលមើលគេហទំព័ររបស់សម្ព័ន្ធ",
        ),
        # Not from the public sources in shared/mission: staff should confirm it (see README).
        "link_url": "https://www.nlcs.org.kh/",
    },
]

# Places on the partnership map, approximate (a town centre, to about a kilometre): the County
# of Newell is placed at Brooks, its main town, and Kang Meas District at the point its
# Wikipedia article gives (11°56′35″N 105°16′14″E, near Peam Chi Kang, the district capital).
# Sample entries get none: they are not real places, so the map lists them below it instead.
# Names of places stay as they are in every language; the partners' texts are in English and
# French (in Khmer they show in English, marked as not yet translated).
MUNICIPALITIES = [
    {
        "slug": "city-of-chilliwack",
        "name": "City of Chilliwack",
        "country": Country.CANADA,
        "region": "British Columbia",
        "summary": Texts(
            "A Canadian partner in the MPED demonstration projects in Cambodia.",
            "Un partenaire canadien des projets de démonstration du PMDE au Cambodge.",
        ),
        "description": Texts(
            "<p>The City of Chilliwack's support to Cambodian local governments was one of the "
            "two partnerships featured by Cambodia's <em>Economics Today</em> magazine.</p>",
            "<p>Le soutien de la Ville de Chilliwack aux gouvernements locaux cambodgiens est "
            "l’un des deux partenariats présentés par le magazine cambodgien <em>Economics "
            "Today</em>.</p>",
        ),
        "order": 1,
        "latitude": Decimal("49.1579"),
        "longitude": Decimal("-121.9515"),
    },
    {
        "slug": "county-of-newell",
        "name": "County of Newell",
        "country": Country.CANADA,
        "region": "Alberta",
        "summary": Texts(
            "Works with Kang Meas District in Kampong Cham province.",
            "Travaille avec le district de Kang Meas, dans la province de Kampong Cham.",
        ),
        "description": Texts(
            "<p>The County of Newell works with Kang Meas District, Kampong Cham province. Its "
            "support was featured by Cambodia's <em>Economics Today</em> magazine.</p>",
            "<p>Le comté de Newell travaille avec le district de Kang Meas, dans la province de "
            "Kampong Cham. Le magazine cambodgien <em>Economics Today</em> a présenté son "
            "soutien.</p>",
        ),
        "order": 2,
        "latitude": Decimal("50.5642"),
        "longitude": Decimal("-111.8989"),
    },
    {
        "slug": "town-of-beaumont",
        "name": "Town of Beaumont",
        "country": Country.CANADA,
        "region": "Alberta",
        "summary": Texts(
            "Named among the Canadian partners of the program in Cambodia.",
            "Nommée parmi les partenaires canadiens du programme au Cambodge.",
        ),
        "order": 3,
        "latitude": Decimal("53.3572"),
        "longitude": Decimal("-113.4147"),
    },
    {
        "slug": "sample-canadian-municipality",
        "name": "Sample Canadian municipality",
        "country": Country.CANADA,
        "summary": Texts(
            "A sample entry for the fourth Canadian partner, which the public sources do not name.",
            "Une entrée d’exemple pour le quatrième partenaire canadien, que les sources "
            "publiques ne nomment pas.",
        ),
        "is_sample": True,
        "order": 4,
    },
    {
        "slug": "kang-meas-district",
        "name": "Kang Meas District",
        "country": Country.CAMBODIA,
        "region": "Kampong Cham",
        "summary": Texts(
            "Works with the County of Newell, Alberta.",
            "Travaille avec le comté de Newell, en Alberta.",
        ),
        "order": 1,
        "latitude": Decimal("11.9431"),
        "longitude": Decimal("105.2706"),
    },
]
for letter, order in zip("ABCD", range(2, 6), strict=True):
    MUNICIPALITIES.append(
        {
            "slug": f"sample-cambodian-local-government-{letter.lower()}",
            "name": f"Sample Cambodian local government {letter}",
            "country": Country.CAMBODIA,
            "summary": Texts(
                "A sample entry for a Cambodian partner that the public sources do not name.",
                "Une entrée d’exemple pour un partenaire cambodgien que les sources publiques "
                "ne nomment pas.",
            ),
            "is_sample": True,
            "order": order,
        }
    )

LED_PLANNING = Texts(
    "LED strategic planning",
    "Planification stratégique du DEL",
    "ផែនការយុទ្ធសាស្ត្រអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន",
)
PARTNERSHIPS = [
    ("county-of-newell", "kang-meas-district", {"focus": LED_PLANNING}),
    (
        "city-of-chilliwack",
        "sample-cambodian-local-government-a",
        {"focus": LED_PLANNING, "is_sample": True},
    ),
    (
        "town-of-beaumont",
        "sample-cambodian-local-government-b",
        {"focus": LED_PLANNING, "is_sample": True},
    ),
    (
        "sample-canadian-municipality",
        "sample-cambodian-local-government-c",
        {"focus": LED_PLANNING, "is_sample": True},
    ),
    (
        "sample-canadian-municipality",
        "sample-cambodian-local-government-d",
        {"focus": LED_PLANNING, "is_sample": True},
    ),
]

REPORT_TITLE = "Encouraging and Supporting Women's Participation in Cambodian Local Politics"

NEWS = [
    {
        "slug": "new-report-womens-participation-in-local-politics",
        "kind": Kind.REPORT,
        "title": Texts(
            "New report: Encouraging women's participation in local politics",
            "Nouveau rapport : encourager la participation des femmes à la politique locale",
            "របាយការណ៍ថ្មី៖ ការលើកទឹកចិត្តការចូលរួមរបស់ស្ត្រីក្នុងនយោបាយមូលដ្ឋាន",
        ),
        "summary": Texts(
            f"Our new report, {REPORT_TITLE}, looks at how women take part in Cambodia's local "
            "governments today and at the trends in their participation.",
            "Notre nouveau rapport (en anglais) examine la place des femmes dans les "
            "gouvernements locaux du Cambodge aujourd’hui et l’évolution de leur participation.",
            "របាយការណ៍ថ្មីរបស់យើង (ជាភាសាអង់គ្លេស) ពិនិត្យមើលការចូលរួមរបស់ស្ត្រី "
            "ក្នុងរដ្ឋបាលមូលដ្ឋាននៃកម្ពុជាសព្វថ្ងៃ និងនិន្នាការនៃការចូលរួមនោះ។",
        ),
        "body": Texts(
            "<p>Women's participation in local politics is one of the areas our work with the "
            "National League of Communes/Sangkats returns to again and again: nurturing "
            "political leadership among women and youth is part of the framework we support.</p>"
            f"<p>The report, <em>{REPORT_TITLE}</em>, reviews current trends in women's "
            "participation in Cambodia's local governments.</p>",
            "<p>La participation des femmes à la politique locale est l’un des sujets auxquels "
            "notre travail avec la Ligue nationale des communes/sangkats revient sans cesse : "
            "favoriser le leadership politique des femmes et des jeunes fait partie du cadre que "
            "nous soutenons.</p>"
            "<p>Le rapport, publié en anglais, passe en revue les tendances actuelles de la "
            "participation des femmes aux gouvernements locaux du Cambodge.</p>",
        ),
        "published_at": SEED_UPDATED.replace(hour=10),
        "pdf": ("womens-participation-in-cambodian-local-politics.pdf", REPORT_TITLE),
    },
    {
        "slug": "canada-in-the-spotlight",
        "kind": Kind.PRESS,
        "title": Texts(
            "Canada in the spotlight", "Le Canada à l’honneur", "កាណាដាទទួលបានការចាប់អារម្មណ៍"
        ),
        "summary": Texts(
            "Cambodia's Economics Today magazine has published two feature articles about how "
            "the City of Chilliwack, British Columbia, and the County of Newell, Alberta, help "
            "Cambodian local governments stimulate local economic development.",
            "Le magazine cambodgien Economics Today a publié deux articles de fond sur l’aide "
            "que la Ville de Chilliwack, en Colombie-Britannique, et le comté de Newell, en "
            "Alberta, apportent aux gouvernements locaux cambodgiens pour stimuler le "
            "développement économique local.",
            "ទស្សនាវដ្ដី Economics Today របស់កម្ពុជា បានចុះផ្សាយអត្ថបទពិសេសពីរ "
            "អំពីរបៀបដែលទីក្រុង Chilliwack (British Columbia) និងខោនធី Newell (Alberta) "
            "ជួយរដ្ឋបាលមូលដ្ឋានកម្ពុជាជំរុញការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន។",
        ),
        "body": Texts(
            "<p>Two Canadian partners of the MPED program caught the eye of Cambodia's "
            "<em>Economics Today</em> magazine. Its features describe the support the City of "
            "Chilliwack and the County of Newell give local governments in Cambodia as they "
            "work to stimulate local economic development (LED).</p>",
            "<p>Deux partenaires canadiens du programme PMDE ont retenu l’attention du magazine "
            "cambodgien <em>Economics Today</em>. Ses articles décrivent le soutien que la Ville "
            "de Chilliwack et le comté de Newell apportent aux gouvernements locaux du Cambodge "
            "qui s’efforcent de stimuler le développement économique local (DEL).</p>",
        ),
        "published_at": SEED_UPDATED.replace(hour=9),
        "partners": ["city-of-chilliwack", "county-of-newell"],
        "articles": [
            (
                Texts(
                    "Economics Today feature: the City of Chilliwack",
                    "Article d’Economics Today : la Ville de Chilliwack",
                ),
                "economics-today-chilliwack.pdf",
            ),
            (
                Texts(
                    "Economics Today feature: the County of Newell",
                    "Article d’Economics Today : le comté de Newell",
                ),
                "economics-today-newell.pdf",
            ),
        ],
    },
]


NEWS.append(
    {
        "slug": "sample-members-only-briefing",
        "kind": Kind.NEWS,
        "title": Texts(
            "Sample: a members-only briefing",
            "Exemple : une note d’information réservée aux membres",
            "គំរូ៖ សេចក្ដីសង្ខេបសម្រាប់តែសមាជិក",
        ),
        "summary": Texts(
            "A sample item that shows how members-only content works: visitors see this "
            "summary and are invited to log in; members read the rest and download the PDF.",
            "Un exemple qui montre le fonctionnement du contenu réservé aux membres : les "
            "visiteurs voient ce résumé et sont invités à se connecter ; les membres lisent la "
            "suite et téléchargent le PDF.",
            "ធាតុគំរូដែលបង្ហាញពីរបៀបដែលខ្លឹមសារសម្រាប់តែសមាជិកដំណើរការ៖ "
            "អ្នកទស្សនាឃើញសេចក្ដីសង្ខេបនេះ ហើយត្រូវបានអញ្ជើញឱ្យចូលគណនី "
            "សមាជិកអានផ្នែកដែលនៅសល់ និងទាញយកឯកសារ PDF។",
        ),
        "body": Texts(
            "<p>This is sample content, not a real briefing. Staff mark an item as members "
            "only in the admin; its text and files are then shown to members who have "
            "confirmed their email address.</p>",
            "<p>Ceci est un contenu d’exemple, et non une vraie note d’information. Le "
            "personnel marque un élément comme réservé aux membres dans l’administration ; son "
            "texte et ses fichiers sont alors montrés aux membres qui ont confirmé leur adresse "
            "courriel.</p>",
        ),
        "published_at": SEED_UPDATED.replace(hour=8),
        "is_members_only": True,
        "pdf": ("sample-members-only-briefing.pdf", "Sample members-only briefing"),
    }
)


# Work in progress, so that the staff dashboard has something to show on a fresh demo: a draft
# and an item scheduled a week after the demo content is loaded. Both are samples.
NEWS += [
    {
        "slug": "sample-draft-news-story",
        "kind": Kind.NEWS,
        "is_published": False,
        "title": Texts(
            "Sample: a news story in progress",
            "Exemple : une nouvelle en cours de rédaction",
            "គំរូ៖ ព័ត៌មានកំពុងរៀបចំ",
        ),
        "summary": Texts(
            "A sample draft: not public; staff see it in the admin, a partner through a review "
            "link.",
            "Un brouillon d’exemple, non public : le personnel le voit dans l’administration, un "
            "partenaire par un lien de relecture.",
            "សេចក្ដីព្រាងគំរូ មិនមែនជាសាធារណៈ៖ បុគ្គលិកមើលឃើញវានៅក្នុងផ្នែករដ្ឋបាល ដៃគូមើលឃើញតាមរយៈតំណសម្រាប់ពិនិត្យ។",
        ),
        "body": Texts(
            "<p>This is sample content, not real news. A publisher can send a review link "
            "for it to a partner who has no account.</p>",
            "<p>Ceci est un contenu d’exemple, et non une vraie nouvelle. Un éditeur peut "
            "l’envoyer à un partenaire sans compte par un lien de relecture.</p>",
        ),
        "published_at": SEED_UPDATED.replace(hour=9),
    },
    {
        "slug": "sample-scheduled-announcement",
        "kind": Kind.NEWS,
        "title": Texts(
            "Sample: a scheduled announcement",
            "Exemple : une annonce programmée",
            "គំរូ៖ សេចក្ដីប្រកាសដែលបានកំណត់ពេល",
        ),
        "summary": Texts(
            "A sample item scheduled a week after the demo content was loaded; it appears on "
            "the site by itself at that time.",
            "Un exemple programmé une semaine après le chargement du contenu de démonstration ; "
            "il paraît de lui-même sur le site à ce moment-là.",
            "ធាតុគំរូដែលបានកំណត់ពេលមួយសប្ដាហ៍ក្រោយពេលផ្ទុកខ្លឹមសារសាកល្បង វានឹងបង្ហាញលើគេហទំព័រដោយខ្លួនឯងនៅពេលនោះ។",
        ),
        "published_in_days": 7,
    },
]


# Pictures in the media library, drawn here (the demo includes no photographs), each chosen by
# the items that name it in IMAGE_USES: the market by a news item AND a municipality (one
# upload, used twice, cropped around its focal point for each place).
DEMO_IMAGES = {
    "market": {
        "title": "Sample image: a market",
        "alt": Texts(
            "A drawing of a market: stalls of vegetables under striped awnings",
            "Un dessin de marché : des étals de légumes sous des auvents rayés",
        ),
        "credit": "Drawing made for the demo content",
        "focal": (30, 62),
    },
    "fields": {
        "title": "Sample image: rice fields",
        "alt": Texts(
            "A drawing of green rice fields under a blue sky, with a palm tree",
            "Un dessin de rizières vertes sous un ciel bleu, avec un palmier",
        ),
        "credit": "Drawing made for the demo content",
        "focal": (72, 45),
    },
    "card": {
        "title": "Sample image: the site's sharing card",
        "alt": Texts(
            "Municipal Partners for Economic Development",
            "Partenaires municipaux pour le développement économique",
        ),
        "credit": "",
        "focal": (50, 50),
    },
}

# (model, slug or None for the site settings, field, image)
IMAGE_USES = [
    (NewsItem, "canada-in-the-spotlight", "image", "market"),
    (NewsItem, "new-report-womens-participation-in-local-politics", "image", "fields"),
    (Municipality, "kang-meas-district", "image", "market"),
    (ProgramPage, "mped-initiatives-in-cambodia", "image", "fields"),
    (ProgramPage, "led-framework", "image", "market"),
    (SiteSettings, None, "share_image", "card"),
]


def demo_picture(name):
    """A JPEG drawing for DEMO_IMAGES[name], with its subject where the focal point says."""
    width, height = 1600, 1067
    picture = Image.new("RGB", (width, height), (150, 200, 235))
    draw = ImageDraw.Draw(picture)
    if name == "market":
        draw.rectangle([0, 700, width, height], fill=(190, 170, 130))
        colours = [(60, 150, 60), (230, 140, 40), (200, 50, 50), (120, 170, 60)]
        for index, left in enumerate(range(120, 1500, 300)):
            draw.rectangle([left, 520, left + 240, 780], fill=(120, 80, 40))
            for stripe in range(6):
                fill = (220, 60, 60) if stripe % 2 else (245, 245, 235)
                draw.rectangle([left + stripe * 40, 420, left + stripe * 40 + 40, 520], fill=fill)
            for row in range(3):
                for col in range(5):
                    x, y = left + 20 + col * 44, 560 + row * 60
                    draw.ellipse([x, y, x + 36, y + 36], fill=colours[(index + row) % 4])
    elif name == "fields":
        for band in range(8):
            top = 560 + band * 64
            draw.rectangle([0, top, width, top + 64], fill=(60 + band * 12, 150 + band * 6, 60))
        draw.rectangle([1140, 260, 1170, 640], fill=(110, 80, 50))
        for angle in range(0, 360, 45):
            draw.pieslice([1020, 160, 1290, 380], angle, angle + 25, fill=(40, 120, 50))
        draw.ellipse([200, 120, 340, 260], fill=(250, 220, 90))
    else:
        width, height = 1200, 630
        picture = Image.new("RGB", (width, height), (11, 79, 108))
        draw = ImageDraw.Draw(picture)
        draw.rectangle([0, 540, width, height], fill=(230, 140, 40))
        font = ImageFont.load_default(size=64)
        draw.text((80, 200), "MPED", fill="white", font=font)
        draw.text(
            (80, 300),
            "Municipal Partners for Economic Development",
            fill="white",
            font=ImageFont.load_default(size=44),
        )
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def sample_pdf(title):
    """A one-page PDF standing in for a document the demo content does not include."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle([0, 0, 1240, 60], fill=(11, 79, 108))
    heading = ImageFont.load_default(size=44)
    text = ImageFont.load_default(size=30)
    y = 200
    for line in _wrap(title, 44):
        draw.text((100, y), line, fill="black", font=heading)
        y += 64
    draw.text((100, y + 60), "Municipal Partners for Economic Development", fill="black", font=text)
    draw.text((100, y + 110), SAMPLE_FILE_NOTE.en + ".", fill=(120, 70, 0), font=text)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def _wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


class Command(BaseCommand):
    help = "Load the demo content: the seed page as a real site (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Put every demo item back as it was first loaded."
        )

    # English active, whatever the caller's language: the texts go to the columns they name.
    @translation.override("en")
    @transaction.atomic
    def handle(self, *args, reset=False, **options):
        self.reset = reset
        self.touched = []
        site, created = SiteSettings.objects.get_or_create(pk=1, defaults=columns(SITE))
        if reset and not created:
            SiteSettings.objects.filter(pk=1).update(**columns(SITE))
        if created or reset:
            self.touched.append(site)

        for order, data in enumerate(PAGES, 1):
            self.load_page({**data, "order": order, "published_at": SEED_UPDATED})
        municipalities = {
            data["slug"]: self.load_municipality(dict(data)) for data in MUNICIPALITIES
        }
        for canadian, cambodian, extra in PARTNERSHIPS:
            pair, created = Partnership.objects.get_or_create(
                canadian=municipalities[canadian],
                cambodian=municipalities[cambodian],
                defaults={"is_published": True, **columns(extra)},
            )
            if reset and not created:
                Partnership.objects.filter(pk=pair.pk).update(is_published=True, **columns(extra))
            if created or reset:
                self.touched.append(pair)
        for data in NEWS:
            self.load_news(dict(data), municipalities)
        self.load_menus()
        self.load_images(site)
        self.load_home()
        # The site's words that "Did you mean …?" suggests, from what is now published.
        rebuild_search_words()

        # Demo content carries the seed page's date, so Page Updated reads 18/05/2016.
        for obj in self.touched:
            type(obj).objects.filter(pk=obj.pk).update(updated_at=SEED_UPDATED)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {ProgramPage.objects.count()} program pages, "
                f"{Municipality.objects.count()} municipalities, "
                f"{Partnership.objects.count()} partnerships, {NewsItem.objects.count()} news "
                f"items ({len(self.touched)} created or reset now)."
            )
        )

    def load_home(self):
        """The home page's blocks as the seed page has them, each program section as a card
        linking to its page (short on a phone; the full text is on the page): made when the site
        has none yet (a new site's migration makes the page without program sections) or with
        --reset; staff's blocks are kept otherwise."""
        home = HomePage.objects.filter(pk=HOME_PK).first()
        if home is None:
            home = HomePage.objects.create(pk=HOME_PK)
        elif not self.reset and home.blocks.filter(kind=BlockKind.PROGRAM).exists():
            return home
        home.blocks.all().delete()
        blocks = [
            HomeBlock(kind=BlockKind.ACCOUNT_PROMPT, **columns(HOME_TEXTS["account"])),
            HomeBlock(kind=BlockKind.LATEST_NEWS, news_count=3, **columns(HOME_TEXTS["news"])),
            *(
                HomeBlock(kind=BlockKind.PROGRAM, page=page, display=HomeBlock.Display.CARD)
                for page in ProgramPage.objects.filter(slug__in=[p["slug"] for p in PAGES])
            ),
            HomeBlock(kind=BlockKind.PARTNERS, **columns(HOME_TEXTS["partners"])),
        ]
        for order, block in enumerate(blocks, 1):
            block.home, block.order = home, order * 10
        HomeBlock.objects.bulk_create(blocks)
        self.touched.append(home)
        return home

    def upsert(self, model, slug, defaults):
        obj = model.objects.filter(slug=slug).first()
        if obj is not None and not self.reset:
            return obj, False
        obj = obj or model(slug=slug)
        for field, value in columns(defaults).items():
            setattr(obj, field, value)
        obj.save()
        self.touched.append(obj)
        return obj, True

    def load_images(self, site):
        """The library's demo pictures, chosen by the items created (or reset) now."""
        images = {}
        for name, data in DEMO_IMAGES.items():
            image = LibraryImage.objects.filter(title=data["title"]).first()
            if image is None or self.reset:
                image = image or LibraryImage(title=data["title"])
                if not image.file:
                    image.file = SimpleUploadedFile(
                        f"demo-{name}.jpg", demo_picture(name), content_type="image/jpeg"
                    )
                image.credit = data["credit"]
                image.focal_x, image.focal_y = data["focal"]
                for field, value in columns({"alt": data["alt"]}).items():
                    setattr(image, field, value)
                image.save()
                # Dated like the rest, as the home page's cards show pictures (Page Updated).
                self.touched.append(image)
            images[name] = image
        touched = {(type(obj), obj.pk) for obj in self.touched}
        for model, slug, field, name in IMAGE_USES:
            obj = site if slug is None else model.objects.filter(slug=slug).first()
            if obj is not None and (type(obj), obj.pk) in touched:
                model.objects.filter(pk=obj.pk).update(**{field: images[name]})

    def load_menus(self):
        """The header and footer menus with today's links (website/menus.py): the header gets
        the demo's program pages. Menus staff changed are left as they are, unless --reset."""
        from website.menus import HEADER, default_targets, ensure_menus, set_default_links
        from website.models import MenuLink

        for place, menu in ensure_menus().items():
            links = list(menu.links.all())
            # A header as a new database's migration made it, before there were program pages.
            bare = place == HEADER and [(link.target, link.page_id) for link in links] == (
                default_targets(HEADER, [])
            )
            if self.reset or (bare and not any(link.label for link in links)):
                set_default_links(menu, MenuLink, ProgramPage)

    def load_page(self, data):
        points = data.pop("points", [])
        figures = data.pop("figures", [])
        page, changed = self.upsert(ProgramPage, data.pop("slug"), {"is_published": True, **data})
        if changed:
            page.points.all().delete()
            page.figures.all().delete()
            PagePoint.objects.bulk_create(
                PagePoint(page=page, order=i, **columns({"text": text}))
                for i, text in enumerate(points, 1)
            )
            # bulk_create sends no signal: the page's Khmer body words, which read its points
            # (pages.models.refresh_khmer_body_words), are made again here.
            page.km_body_words = ProgramPage._meta.get_field("km_body_words").words_of(page)
            ProgramPage.objects.filter(pk=page.pk).update(km_body_words=page.km_body_words)
            PageFigure.objects.bulk_create(
                PageFigure(page=page, value=value, order=i, **columns({"label": label}))
                for i, (value, label) in enumerate(figures, 1)
            )
        return page

    def load_municipality(self, data):
        data.setdefault("is_sample", False)
        # --reset takes a place staff gave a sample entry off the map again.
        data.setdefault("latitude", None)
        data.setdefault("longitude", None)
        municipality, _changed = self.upsert(
            Municipality, data.pop("slug"), {"is_published": True, **data}
        )
        return municipality

    def load_news(self, data, municipalities):
        partners = data.pop("partners", [])
        articles = data.pop("articles", [])
        pdf = data.pop("pdf", None)
        if "published_in_days" in data:
            days = data.pop("published_in_days")
            data["published_at"] = timezone.now().replace(second=0, microsecond=0) + (
                datetime.timedelta(days=days)
            )
        item, changed = self.upsert(NewsItem, data.pop("slug"), {"is_published": True, **data})
        if not changed:
            return item
        item.documents.all().delete()
        if pdf:
            # The report's PDF, a library document the item offers.
            filename, title = pdf
            document = self.load_document(filename, title, sample_pdf(title))
            ItemDocument.objects.create(news_item=item, document=document, role=Role.REPORT)
        item.partners.set([municipalities[slug] for slug in partners])
        item.articles.all().delete()
        for order, (title, filename) in enumerate(articles, 1):
            Article.objects.create(
                news_item=item,
                publication="Economics Today",
                order=order,
                document=self.load_document(filename, title, sample_pdf(title.en)),
                **columns({"title": title, "note": SAMPLE_FILE_NOTE}),
            )
        return item

    def load_document(self, filename, title, content):
        """The library document of that title (made now, or put back with --reset)."""
        title = title if isinstance(title, Texts) else Texts(title)
        document = Document.objects.filter(title_en=title.en).first()
        if document is None or self.reset:
            document = document or Document()
            if not document.file:
                document.file = SimpleUploadedFile(
                    filename, content, content_type="application/pdf"
                )
            for field, value in columns({"title": title}).items():
                setattr(document, field, value)
            document.save()
        return document
