"""Demo data for the catalogue: ~66 providers and ~360 services over the 13 pilot municipalities.

Deterministic (a fixed random seed) and fast: bulk inserts, skipped when the demo providers are there.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from portal.marketplace.catalogue.models import Location, Provider, ProviderStaff, Service, ServiceType
from portal.marketplace.catalogue.validators import company_number_checksum_ok, make_iban
from portal.platform.accounts.models import User

DEMO_PROVIDER_STAFF_EMAIL = "sniedzejs@sbs.localhost"
DEMO_PROVIDER_SLUG = "saules-stars"

# code: (city name in the locative-free form used in addresses, lat, lon, streets, postcode)
PLACES = {
    "jelgava": ("Jelgava", 56.6511, 23.7214, ["Lielā iela", "Katoļu iela", "Dobeles šoseja", "Rīgas iela"], "LV-3001"),
    "bauska": ("Bauska", 56.4079, 24.1944, ["Kalna iela", "Rīgas iela", "Plūdoņa iela"], "LV-3901"),
    "liepaja": ("Liepāja", 56.5047, 21.0108, ["Graudu iela", "Kuršu iela", "Zivju iela", "Klaipēdas iela"], "LV-3401"),
    "talsi": ("Talsi", 57.2447, 22.5889, ["Lielā iela", "Kareivju iela", "Ezera iela"], "LV-3201"),
    "rezekne": ("Rēzekne", 56.5099, 27.3331, ["Atbrīvošanas aleja", "Latgales iela", "Dārzu iela"], "LV-4601"),
    "balvi": ("Balvi", 57.1313, 27.2655, ["Brīvības iela", "Bērzpils iela", "Partizānu iela"], "LV-4501"),
    "daugavpils": ("Daugavpils", 55.8747, 26.5362, ["Rīgas iela", "Saules iela", "Cietokšņa iela", "18. novembra iela"],
                   "LV-5401"),
    "valmiera": ("Valmiera", 57.5385, 25.4264, ["Rīgas iela", "Beātes iela", "Stacijas iela"], "LV-4201"),
    "madona": ("Madona", 56.8539, 26.2170, ["Saieta laukums", "Rūpniecības iela", "Poruka iela"], "LV-4801"),
    "cesis": ("Cēsis", 57.3119, 25.2707, ["Raunas iela", "Lenču iela", "Valmieras iela"], "LV-4101"),
    "gulbene": ("Gulbene", 57.1775, 26.7527, ["Rīgas iela", "Brīvības iela", "Parka iela"], "LV-4401"),
    "ogre": ("Ogre", 56.8162, 24.6140, ["Brīvības iela", "Mālkalnes prospekts", "Skolas iela"], "LV-5001"),
    "tukums": ("Tukums", 56.9672, 23.1553, ["Pils iela", "Talsu iela", "Kurzemes iela"], "LV-3101"),
}
REGIONS = {
    "zemgale": ["jelgava", "bauska", "ogre", "tukums"],
    "kurzeme": ["liepaja", "talsi", "tukums"],
    "latgale": ["rezekne", "balvi", "daugavpils"],
    "vidzeme": ["valmiera", "madona", "cesis", "gulbene"],
}

# Named in the seeds (DOMAIN.md) and realistic invented organisations.
# (name, legal form, languages, focus types, home region or None for national)
PROVIDERS = [
    ("Biedrība “Saules Stars”", "association", ["lv", "ru", "en"], ["home-care", "respite-care", "psychologist",
     "psychosocial-rehab-children", "speech-therapy", "decision-support"], None),
    ("Latvijas Sarkanā Krusta Kurzemes komiteja", "association", ["lv", "ru"], ["home-care", "respite-care",
     "day-care", "transport"], "kurzeme"),
    ("Latvijas Samariešu apvienība", "association", ["lv", "ru", "en"], ["home-care", "respite-care", "transport",
     "day-care"], None),
    ("Latvijas Autisma apvienība", "association", ["lv", "en"], ["psychosocial-rehab-children", "psychologist",
     "speech-therapy", "ergotherapy"], None),
    ("Resursu centrs cilvēkiem ar garīgiem traucējumiem “ZELDA”", "association", ["lv", "en"],
     ["decision-support", "psychologist", "social-rehab"], None),
]
_NAME_PARTS = [
    ("Cerību spārni", "association"), ("Rūpju nams", "sia"), ("Gaismas ceļš", "association"),
    ("Labās rokas", "association"), ("Kopā varam", "association"), ("Atbalsta tilts", "foundation"),
    ("Dzīvesprieks", "association"), ("Mājas sirds", "sia"), ("Saulespuķe", "association"),
    ("Vienota ģimene", "association"), ("Zaļā māja", "foundation"), ("Ozolzīle", "sia"),
    ("Rīta rasa", "association"), ("Pīlādzītis", "association"), ("Dzintara krasts", "sia"),
    ("Līdzās", "association"), ("Sirds siltums", "foundation"), ("Avots", "association"),
    ("Spēka avots", "sia"), ("Mēs esam", "association"), ("Tilts uz nākotni", "foundation"),
    ("Vēja zvani", "association"), ("Kalnu pakāje", "sia"), ("Laimes lācis", "association"),
    ("Ceļabiedrs", "association"), ("Palīdzīgā roka", "sia"), ("Bērnu pasaule", "association"),
    ("Soli pa solim", "association"), ("Dzirkstele", "sia"), ("Miera osta", "foundation"),
    ("Varavīksne", "association"), ("Jaunā paaudze", "association"), ("Cerība", "association"),
    ("Dzīves kvalitāte", "sia"), ("Kustību prieks", "sia"), ("Runātprieks", "sia"),
    ("Ergo centrs", "sia"), ("Fizio plus", "sia"), ("Sociālās rehabilitācijas centrs “Dzīvot”", "sia"),
    ("Dienas centrs “Saulgrieži”", "municipal"), ("Grupu māja “Pie ezera”", "association"),
    ("Darbnīca “Rokdarbi”", "association"), ("Transporta dienests “Ceļā”", "sia"),
    ("Psihologu prakse “Līdzsvars”", "ik"), ("Logopēdu kabinets “Vārdiņš”", "ik"),
    ("Доброе сердце — Labā sirds", "association"), ("Family Support Latvia", "sia"),
    ("Klusā valoda", "association"), ("Sadzirdi mani", "association"), ("Atelpa", "sia"),
    ("Siltās mājas", "sia"), ("Sabiedrības centrs “Ābele”", "association"), ("Bērnu attīstības centrs “Zīle”", "sia"),
    ("Mentoru tīkls", "association"), ("Vidzemes aprūpes dienests", "sia"), ("Latgales atbalsta centrs", "association"),
    ("Zemgales ģimenes atbalsts", "foundation"), ("Kurzemes rehabilitācijas centrs", "sia"),
    ("Aprūpe Tev", "sia"), ("Drošais krasts", "association"), ("Rūpju bērns Latgalē", "association"),
]
_LEGAL_PREFIX = {"association": "Biedrība", "foundation": "Nodibinājums", "sia": "SIA", "ik": "IK",
                 "municipal": "", "as": "AS"}

# Per type: (Latvian titles, English titles, price range, units, target groups, delivery modes)
TYPE_PROFILES = {
    "home-care": (["Aprūpe mājās", "Aprūpe mājās personām ar invaliditāti", "Ikdienas aprūpe dzīvesvietā",
                   "Aprūpes mājās pakalpojums vakaros un brīvdienās"],
                  ["Home care", "Home care for people with disabilities", "Daily care at home",
                   "Home care in the evenings and at weekends"], (8, 15), ["hour"], ["adults", "children"], ["home"]),
    "respite-care": (["Atelpas brīža pakalpojums mājoklī", "Atelpas brīdis ģimenēm ar bērniem",
                      "Īslaicīga aprūpe ģimenes atelpai"],
                     ["Respite care at home", "Respite for families with children", "Short-term care for family respite"],
                     (45, 85), ["day"], ["children", "adults"], ["home", "provider"]),
    "decision-support": (["Atbalsta persona lēmumu pieņemšanā", "Atbalsts lēmumu pieņemšanā ikdienā",
                          "Atbalsta personas pakalpojums"],
                         ["Support person for decision-making", "Support with everyday decisions",
                          "Support person service"], (12, 21), ["hour"], ["adults"], ["home", "provider", "online"]),
    "psychosocial-rehab-children": (["Psihosociālā rehabilitācija bērniem ar autiskā spektra traucējumiem",
                                     "Psihosociālās rehabilitācijas nodarbības bērnam un vecākiem",
                                     "Agrīnās intervences nodarbības bērniem"],
                                    ["Psychosocial rehabilitation for children on the autism spectrum",
                                     "Psychosocial rehabilitation sessions for child and parents",
                                     "Early intervention sessions for children"],
                                    (25, 48), ["session"], ["children"], ["provider", "home"]),
    "psychologist": (["Psihologa konsultācija", "Psihologa individuālās konsultācijas",
                      "Ģimenes psihologa konsultācija", "Psihologa konsultācija tiešsaistē"],
                     ["Psychologist consultation", "Individual psychologist consultations",
                      "Family psychologist consultation", "Online psychologist consultation"],
                     (30, 58), ["session"], ["adults", "children"], ["provider", "online"]),
    "day-care": (["Dienas aprūpes centrs", "Dienas aprūpes centrs personām ar garīga rakstura traucējumiem",
                  "Dienas centrs bērniem ar funkcionāliem traucējumiem"],
                 ["Day care centre", "Day care centre for adults with mental disabilities",
                  "Day centre for children with functional impairments"],
                 (15, 32), ["day"], ["adults", "children"], ["provider"]),
    "group-apartment": (["Grupu dzīvoklis", "Grupu dzīvoklis ar mentora atbalstu"],
                        ["Group apartment", "Group apartment with mentor support"],
                        (20, 36), ["day"], ["adults"], ["provider"]),
    "specialised-workshop": (["Specializētā darbnīca", "Kokapstrādes darbnīca", "Šūšanas un rokdarbu darbnīca",
                              "Keramikas darbnīca"],
                             ["Specialised workshop", "Woodwork workshop", "Sewing and handicraft workshop",
                              "Pottery workshop"], (14, 26), ["day"], ["adults"], ["provider"]),
    "social-rehab": (["Sociālās rehabilitācijas kurss", "Sociālā rehabilitācija jauniešiem",
                      "Sociālo prasmju kurss"],
                     ["Social rehabilitation course", "Social rehabilitation for young people", "Social skills course"],
                     (300, 820), ["course"], ["adults", "children"], ["provider"]),
    "physiotherapy": (["Fizioterapija", "Fizioterapija bērniem", "Fizioterapija mājās"],
                      ["Physiotherapy", "Physiotherapy for children", "Physiotherapy at home"],
                      (20, 42), ["session"], ["adults", "children"], ["provider", "home"]),
    "ergotherapy": (["Ergoterapija", "Ergoterapeita konsultācija", "Ergoterapija bērniem"],
                    ["Occupational therapy", "Occupational therapist consultation", "Occupational therapy for children"],
                    (20, 40), ["session"], ["adults", "children"], ["provider", "home"]),
    "speech-therapy": (["Logopēda nodarbības", "Logopēds bērniem", "Alternatīvās komunikācijas nodarbības"],
                       ["Speech therapy sessions", "Speech therapist for children", "Alternative communication sessions"],
                       (20, 36), ["session"], ["children", "adults"], ["provider", "online"]),
    "transport": (["Transports uz pakalpojumu", "Specializētais transports ar pacēlāju"],
                  ["Transport to services", "Adapted transport with a lift"],
                  (10, 26), ["session"], ["adults", "children"], ["home"]),
}
_SCHEDULES = ["Darba dienās 8:00–18:00", "P., T., C. 9:00–17:00", "Katru dienu 8:00–20:00",
              "O., C. 14:00–19:00; S. 10:00–14:00", "Pēc vienošanās", "Darba dienās 9:00–16:00"]
_DESC_TAIL = [
    "Strādājam ar katru cilvēku individuāli un kopā ar ģimeni izvirzām sasniedzamus mērķus.",
    "Mūsu komandā ir pieredzējuši speciālisti, kuri regulāri papildina zināšanas.",
    "Pakalpojumu var sākt saņemt nedēļas laikā pēc vienošanās noslēgšanas.",
    "Pirms pakalpojuma sākuma notiek bezmaksas iepazīšanās tikšanās.",
    "Ņemam vērā personas vēlmes, ieradumus un dienas ritmu.",
]


def _company_number(rng: random.Random, prefix: str) -> str:
    while True:
        candidate = prefix + "".join(str(rng.randrange(10)) for _ in range(11 - len(prefix)))
        if company_number_checksum_ok(candidate):
            return candidate


def _slugify(text: str) -> str:
    table = str.maketrans("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽДдоброесц", "acegiklnsuzACEGIKLNSUZDdobroesc")
    return slugify(text.translate(table))[:70]


def _provider_rows(rng: random.Random):
    rows = list(PROVIDERS)
    all_types = list(TYPE_PROFILES)
    regions = list(REGIONS)
    for index, (stem, form) in enumerate(_NAME_PARTS):
        prefix = _LEGAL_PREFIX[form]
        name = f"{prefix} “{stem}”" if prefix and "“" not in stem else stem
        langs = ["lv"]
        if "Доброе" in stem or rng.random() < 0.25:
            langs.append("ru")
        if "Latvia" in stem or rng.random() < 0.15:
            langs.append("en")
        if rng.random() < 0.06:
            langs.append("uk")
        if stem in ("Klusā valoda", "Sadzirdi mani") or rng.random() < 0.05:
            langs.append("sgn")
        focus = rng.sample(all_types, rng.randint(3, 6))
        rows.append((name, form, langs, focus, regions[index % len(regions)]))
    return rows


def load_public(out=None):
    """Create the demo providers, locations and services (once)."""
    started = time.perf_counter()
    if Provider.objects.filter(slug=DEMO_PROVIDER_SLUG).exists():
        if out is not None:
            print(f"• Catalogue: already there ({Provider.objects.count()} providers)", file=out, flush=True)
        return
    rng = random.Random(20260101)
    types = {t.code: t for t in ServiceType.objects.all()}
    now = timezone.now()
    providers, locations, services, service_locations = [], [], [], []
    used_social, used_slugs = set(), set()
    rows = _provider_rows(rng)
    for index, (name, form, langs, focus, region) in enumerate(rows):
        if index == 0:
            served = ["jelgava", "liepaja", "bauska", "ogre"]
        elif region is None:
            served = sorted(rng.sample(list(PLACES), rng.randint(6, 13)))
        else:
            served = sorted(set(REGIONS[region]) | set(rng.sample(list(PLACES), rng.randint(0, 2))))
        slug = DEMO_PROVIDER_SLUG if index == 0 else _slugify(name.replace("“", "").replace("”", ""))
        while slug in used_slugs:
            slug += "-2"
        used_slugs.add(slug)
        social = f"S{rng.randint(100, 99999):05d}"
        while social in used_social:
            social = f"S{rng.randint(100, 99999):05d}"
        used_social.add(social)
        company = _company_number(rng, "5000" if form in ("association", "foundation") else
                                  ("9000" if form == "municipal" else "4000"))
        home = served[0] if index else "jelgava"
        city, lat, lon, streets, postcode = PLACES[home]
        status = Provider.Status.VERIFIED
        if index >= 3 and index % 17 == 0:
            status = Provider.Status.PENDING  # a few still await the platform's verification
        vat = form in ("sia", "as") and rng.random() < 0.6
        step_free = rng.random() < 0.7
        type_names = ", ".join(types[c].name_lv.lower() for c in focus[:3])
        provider = Provider(
            name=name, slug=slug, social_register_number=social, company_number=company, legal_form=form,
            email=f"info@{slug[:30].strip('-')}.lv", phone=f"+371 2{rng.randint(1000000, 9999999)}",
            website=f"https://{slug[:30].strip('-')}.lv", address=f"{rng.choice(streets)} {rng.randint(1, 80)}, {city}, {postcode}",
            description_lv=(f"{name} sniedz sabiedrībā balstītus sociālos pakalpojumus: {type_names}. "
                            f"{rng.choice(_DESC_TAIL)}"),
            description_en=(f"{name} provides community-based social services: "
                            + ", ".join(types[c].name_en.lower() for c in focus[:3]) + ".") if "en" in langs else "",
            languages=langs, municipalities_served=served, iban=make_iban(
                rng.choice(["HABA", "UNLA", "RIKO", "PARX", "NDEA"]), "".join(
                    str(rng.randrange(10)) for _ in range(13))),
            vat_payer=vat, vat_number=f"LV{company}" if vat else "", status=status,
            verified_at=now if status == Provider.Status.VERIFIED else None,
            step_free_access=step_free, accessible_toilet=step_free and rng.random() < 0.7,
            accessible_parking=rng.random() < 0.5, hearing_loop="sgn" in langs or rng.random() < 0.1,
            easy_read=rng.random() < 0.4)
        providers.append(provider)
    Provider.objects.bulk_create(providers)
    for provider, (name, form, langs, focus, region) in zip(providers, rows):
        provider_locations = []
        for code in provider.municipalities_served[: rng.randint(1, 3)]:
            city, lat, lon, streets, postcode = PLACES[code]
            address = f"{rng.choice(streets)} {rng.randint(1, 90)}, {city}, {postcode}"
            if provider.address.endswith(f", {city}, {postcode}"):
                address = provider.address  # the place in its home town is its registered address: one fact, once
            provider_locations.append(Location(
                provider=provider, name=f"{provider.name.split('“')[-1].rstrip('”')} — {city}",
                address=address, municipality_code=code,
                latitude=Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}"),
                longitude=Decimal(f"{lon + rng.uniform(-0.03, 0.03):.6f}"),
                step_free_access=provider.step_free_access, accessible_toilet=provider.accessible_toilet,
                accessible_parking=provider.accessible_parking, hearing_loop=provider.hearing_loop,
                easy_read=provider.easy_read))
        locations.extend(provider_locations)
        provider._demo_locations = provider_locations
        extra = [c for c in TYPE_PROFILES if c not in focus]
        codes = list(focus) + rng.sample(extra, max(0, rng.randint(4, 7) - len(focus)))
        for code in codes:
            lv_titles, en_titles, (low, high), units, groups, modes = TYPE_PROFILES[code]
            pick = rng.randrange(len(lv_titles))
            unit = units[0] if rng.random() < 0.8 else units[-1]
            price = Decimal(rng.randint(low * 100, high * 100)) / 100
            if unit == "hour" and units[0] == "day":
                price = (price / 6).quantize(Decimal("0.01"))
            price = price.quantize(Decimal("0.50")) if price > 100 else price.quantize(Decimal("0.01"))
            target = [g for g in groups if rng.random() < 0.8] or groups[:1]
            if "bērn" in lv_titles[pick].lower():
                target = ["children"]
            min_age, max_age = (0, 17) if target == ["children"] else ((18, None) if target == ["adults"] else (None, None))
            full = rng.random() < 0.12
            city = PLACES[provider.municipalities_served[0]][0]
            service = Service(
                provider=provider, service_type=types[code],
                title_lv=lv_titles[pick] + (f" {city}" if rng.random() < 0.3 else ""),
                title_en=en_titles[pick] if "en" in provider.languages or rng.random() < 0.5 else "",
                description_lv=f"{types[code].description_lv} {rng.choice(_DESC_TAIL)} "
                               + ("Konsultācijas iespējamas arī krievu valodā. " if "ru" in provider.languages else "")
                               + ("Pieejams zīmju valodas tulks. " if "sgn" in provider.languages else ""),
                description_en=types[code].description_en,
                target_groups=target, min_age=min_age, max_age=max_age,
                delivery_modes=[m for m in modes if rng.random() < 0.85] or modes[:1],
                unit=unit, unit_price=price,
                free_places=0 if full else rng.choice([None, 1, 2, 3, 5, 8]),
                waiting_weeks=rng.randint(2, 12) if full else None,
                schedule=rng.choice(_SCHEDULES), is_active=rng.random() > 0.03)
            if provider.slug == DEMO_PROVIDER_SLUG:
                # The demo provider shows each case: one service above the usual caps, one full.
                if code == "psychologist":
                    service.unit_price, service.unit, service.is_active = Decimal("65.00"), "session", True
                if code == "respite-care":
                    service.free_places, service.waiting_weeks, service.is_active = 0, 6, True
            services.append(service)
            if "provider" in service.delivery_modes:
                service._demo_locations = provider_locations
    with transaction.atomic():
        Location.objects.bulk_create(locations)
        Service.objects.bulk_create(services)
        Through = Service.locations.through
        for service in services:
            for location in getattr(service, "_demo_locations", []):
                service_locations.append(Through(service_id=service.pk, location_id=location.pk))
        Through.objects.bulk_create(service_locations)
        staff_user = User.objects.filter(email=DEMO_PROVIDER_STAFF_EMAIL).first()
        if staff_user is not None:
            ProviderStaff.objects.get_or_create(user=staff_user, provider=providers[0], defaults={"is_owner": True})
    if out is not None:
        print(f"• Catalogue: {len(providers)} providers, {len(services)} services, {len(locations)} locations "
              f"({time.perf_counter() - started:.2f} s)", file=out, flush=True)
