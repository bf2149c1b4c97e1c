"""A small, known catalogue for the search tests and the relevance set.

Every service has a key (``SERVICES[i][0]``); tests and the relevance set name
services by key. Provider slugs start with ``srch-`` so they never collide
with the catalogue demo's.
"""

from __future__ import annotations

from decimal import Decimal

# slug, name, languages, municipalities served, status, step-free, (lat, lon, address, municipality)
PROVIDERS = [
    ("srch-samariesi", "Samariešu atbalsta centrs", ["lv", "ru"], ["jelgava", "liepaja"], "verified", True,
     (56.6500, 23.7300, "Lielā iela 10, Jelgava", "jelgava")),
    ("srch-krasts", "Biedrība \"Krasts\"", ["lv"], ["liepaja"], "verified", True,
     (56.5100, 21.0200, "Graudu iela 5, Liepāja", "liepaja")),
    ("srch-saule", "SIA \"Saulespuķe\"", ["lv", "en"], ["jelgava"], "verified", False,
     (56.6600, 23.7000, "Katoļu iela 3, Jelgava", "jelgava")),
    ("srch-autisms", "Autisma atbalsta biedrība \"Tilts\"", ["lv", "ru", "en"], ["jelgava", "liepaja"], "verified",
     True, (56.9500, 24.1000, "Brīvības iela 100, Rīga", "riga")),
    ("srch-rokas", "Nodibinājums \"Palīdzīgās rokas\"", ["lv", "uk"], ["jelgava", "liepaja"], "verified", False,
     (56.5000, 21.0000, "Ziemeļu iela 2, Liepāja", "liepaja")),
    ("srch-zimes", "Zīmju valodas centrs", ["lv", "sgn"], ["jelgava", "liepaja"], "verified", True,
     (56.6400, 23.7400, "Akadēmijas iela 1, Jelgava", "jelgava")),
    ("srch-ceturtais", "SIA \"Ceturtais solis\"", ["lv"], ["jelgava", "liepaja"], "pending", True,
     (56.6500, 23.7200, "Pasta iela 4, Jelgava", "jelgava")),
]

# key, provider slug, type, title_lv, title_en, description_lv, groups, (min, max age), modes, unit, price,
# free places, waiting weeks, approved in (municipality codes), active
SERVICES = [
    ("psy-jelgava", "srch-samariesi", "psychologist", "Psihologa konsultācijas pieaugušajiem",
     "Psychologist consultations for adults",
     "Individuālas psihologa konsultācijas personām ar garīga rakstura traucējumiem un viņu ģimenēm.",
     ["adults"], (18, None), ["provider", "online"], "session", "35.00", 3, None, ["jelgava", "liepaja"], True),
    ("psy-children", "srch-autisms", "psychologist", "Bērnu psihologs",
     "Child psychologist",
     "Psihologa nodarbības bērniem ar autiskā spektra traucējumiem un viņu vecākiem.",
     ["children"], (2, 17), ["provider"], "session", "40.00", 0, 6, ["jelgava", "liepaja"], True),
    ("homecare-jelgava", "srch-samariesi", "home-care", "Aprūpe mājās Jelgavā", "Home care in Jelgava",
     "Aprūpētājs palīdz ikdienas darbos, higiēnā un ēdiena gatavošanā personas dzīvesvietā.",
     ["adults"], (18, None), ["home"], "hour", "9.50", 5, None, ["jelgava"], True),
    ("homecare-liepaja", "srch-rokas", "home-care", "Aprūpe mājās Liepājā", "Home care in Liepāja",
     "Palīdzība mājās: pašaprūpe, iepirkšanās, uzkopšana. Aprūpētāji runā latviski un ukrainiski.",
     ["adults", "children"], (None, None), ["home"], "hour", "11.00", 2, None, ["liepaja"], True),
    ("respite-krasts", "srch-krasts", "respite-care", "Atelpas brīža pakalpojums ģimenēm",
     "Respite care for families",
     "Īslaicīga bērna aprūpe mājoklī, lai vecāki varētu atpūsties.",
     ["children"], (0, 17), ["home"], "day", "55.00", 1, None, ["liepaja"], True),
    ("respite-samariesi", "srch-samariesi", "respite-care", "Atelpas brīdis mājoklī", "Respite at home",
     "Aprūpētājs uz laiku aizstāj ģimeni, kas aprūpē pieaugušo ar invaliditāti.",
     ["adults"], (18, None), ["home"], "day", "70.00", 0, 4, ["jelgava", "liepaja"], True),
    ("decision-support", "srch-samariesi", "decision-support", "Atbalsta persona lēmumu pieņemšanā",
     "Support person for decision-making",
     "Atbalsta persona palīdz saprast iespējas un pieņemt lēmumus par naudu, veselību un dzīvi.",
     ["adults"], (18, None), ["home", "provider"], "hour", "12.00", 8, None, ["jelgava", "liepaja"], True),
    ("autism-rehab", "srch-autisms", "psychosocial-rehab-children",
     "Psihosociālā rehabilitācija bērniem ar autismu", "Psychosocial rehabilitation for autistic children",
     "Nodarbību kurss bērniem ar autiskā spektra traucējumiem: sociālās prasmes, saziņa, vecāku apmācība.",
     ["children"], (3, 17), ["provider", "online"], "session", "45.00", 4, None, ["jelgava", "liepaja"], True),
    ("daycare-saule", "srch-saule", "day-care", "Dienas aprūpes centrs \"Saulespuķe\"", "Day care centre",
     "Dienas centrs jauniešiem un pieaugušajiem: radošās darbnīcas, sports, sociālās prasmes.",
     ["adults"], (16, None), ["provider"], "day", "25.00", 10, None, ["jelgava"], True),
    ("group-flat", "srch-krasts", "group-apartment", "Grupu dzīvoklis Liepājā", "Group apartment in Liepāja",
     "Dzīvošana grupu dzīvoklī ar mentora un sociālā darbinieka atbalstu.",
     ["adults"], (18, None), ["provider"], "day", "30.00", 0, 12, ["liepaja"], True),
    ("workshop", "srch-krasts", "specialised-workshop", "Specializētā darbnīca \"Koka pasaule\"",
     "Specialised woodwork workshop",
     "Kokapstrādes un rokdarbu darbnīca darba prasmju apguvei.",
     ["adults"], (18, None), ["provider"], "day", "20.00", 6, None, ["liepaja"], True),
    ("social-rehab", "srch-rokas", "social-rehab", "Sociālās rehabilitācijas kurss", "Social rehabilitation course",
     "Kurss sociālās funkcionēšanas spēju uzlabošanai, atbalsta grupas un konsultācijas.",
     ["adults"], (18, None), ["provider"], "course", "600.00", 2, None, ["jelgava", "liepaja"], True),
    ("physio-saule", "srch-saule", "physiotherapy", "Fizioterapija bērniem", "Physiotherapy for children",
     "Fizioterapeits palīdz attīstīt kustības, līdzsvaru un koordināciju.",
     ["children"], (0, 17), ["provider", "home"], "session", "30.00", 2, None, ["jelgava"], True),
    ("ergo-saule", "srch-saule", "ergotherapy", "Ergoterapeita nodarbības", "Occupational therapy sessions",
     "Ergoterapeits māca ikdienas prasmes: ģērbšanos, ēšanu, rakstīšanu.",
     ["children", "adults"], (None, None), ["provider"], "session", "32.00", 1, None, ["jelgava"], True),
    ("speech-autisms", "srch-autisms", "speech-therapy", "Logopēda nodarbības bērniem", "Speech therapy for children",
     "Logopēds attīsta runu, valodu un alternatīvo saziņu bērniem.",
     ["children"], (2, 17), ["provider", "online"], "session", "38.00", 3, None, ["jelgava", "liepaja"], True),
    ("transport", "srch-rokas", "transport", "Specializētais transports", "Adapted transport",
     "Transports ar pacēlāju ratiņkrēsla lietotājiem uz pakalpojuma saņemšanas vietu.",
     ["adults", "children"], (None, None), ["home"], "session", "15.00", 4, None, ["jelgava", "liepaja"], True),
    ("sign-psy", "srch-zimes", "psychologist", "Psihologs zīmju valodā", "Psychologist in sign language",
     "Psihologa konsultācijas nedzirdīgām personām latviešu zīmju valodā.",
     ["adults"], (18, None), ["provider", "online"], "session", "42.00", 2, None, ["jelgava", "liepaja"], True),
    ("ru-homecare", "srch-samariesi", "home-care", "Уход на дому (aprūpe mājās krievu valodā)",
     "Home care in Russian",
     "Aprūpe mājās ar krievu valodā runājošiem aprūpētājiem.",
     ["adults"], (18, None), ["home"], "hour", "10.00", 3, None, ["jelgava"], True),
    ("expensive-psy", "srch-saule", "psychologist", "Klīniskā psihologa konsultācija", "Clinical psychologist",
     "Klīniskais psihologs: izvērtēšana un terapija.",
     ["adults"], (18, None), ["provider"], "session", "90.00", 1, None, ["jelgava"], True),
    ("inactive-psy", "srch-saule", "psychologist", "Psihologs (slēgts)", "Psychologist (closed)",
     "Vairs netiek piedāvāts.", ["adults"], (18, None), ["provider"], "session", "30.00", 1, None, ["jelgava"],
     False),
    ("pending-provider", "srch-ceturtais", "psychologist", "Psihologs pie nepārbaudīta sniedzēja",
     "Psychologist at an unverified provider", "Sniedzējs vēl nav pārbaudīts.",
     ["adults"], (18, None), ["provider"], "session", "30.00", 1, None, ["jelgava", "liepaja"], True),
    ("unapproved-physio", "srch-krasts", "physiotherapy", "Fizioterapija pieaugušajiem Liepājā",
     "Physiotherapy for adults in Liepāja", "Fizioterapeits pieaugušajiem.",
     ["adults"], (18, None), ["provider"], "session", "28.00", 2, None, [], True),
]

# Price caps per municipality: (type, unit, amount, rule)
CAPS = {
    "jelgava": [("psychologist", "session", "50.00", "copay"), ("home-care", "hour", "10.00", "refuse")],
    "liepaja": [("psychologist", "session", "45.00", "copay")],
}


def seed() -> dict[str, int]:
    """Create the providers, services, approvals and caps (idempotent); return {key: service id}."""
    from django_tenants.utils import schema_context

    from portal.marketplace.approvals.models import PriceCap, ProviderApproval, ServiceApproval
    from portal.marketplace.catalogue.models import Location, Provider, Service, ServiceType
    from portal.marketplace.catalogue.validators import make_iban
    from portal.marketplace.search.indexing import index_services

    types = {t.code: t for t in ServiceType.objects.all()}
    providers = {}
    for index, (slug, name, languages, served, status, step_free, loc) in enumerate(PROVIDERS):
        provider, _ = Provider.objects.get_or_create(slug=slug, defaults=dict(
            name=name, social_register_number=f"S98{index:03d}", company_number=f"98765{index:06d}",
            legal_form="association", email=f"{slug}@example.lv", phone="+371 20000000",
            address=loc[2], description_lv=f"{name} sniedz sabiedrībā balstītus sociālos pakalpojumus.",
            languages=languages, municipalities_served=served, iban=make_iban("HABA", f"{index:013d}"),
            status=status, step_free_access=step_free))
        location, _ = Location.objects.get_or_create(provider=provider, name=name, defaults=dict(
            address=loc[2], municipality_code=loc[3], latitude=loc[0], longitude=loc[1],
            step_free_access=step_free))
        providers[slug] = (provider, location)
    ids = {}
    for (key, slug, type_code, title_lv, title_en, description, groups, ages, modes, unit, price, free, waiting,
         approved_in, active) in SERVICES:
        provider, location = providers[slug]
        service, _ = Service.objects.get_or_create(provider=provider, title_lv=title_lv, defaults=dict(
            service_type=types[type_code], title_en=title_en, description_lv=description,
            description_en=title_en, target_groups=groups, min_age=ages[0], max_age=ages[1],
            delivery_modes=modes, unit=unit, unit_price=Decimal(price), free_places=free, waiting_weeks=waiting,
            schedule="P.–Pk. 9:00–17:00", is_active=active))
        service.locations.add(location)
        ids[key] = service.pk
    index_services(ids.values())
    for code in ("jelgava", "liepaja"):
        with schema_context(code):
            for slug, (provider, _) in providers.items():
                ProviderApproval.objects.update_or_create(provider=provider, defaults={"status": "approved"})
            for (key, slug, *_rest) in SERVICES:
                approved_in = _rest[-2]
                ServiceApproval.objects.update_or_create(
                    service_id=ids[key], defaults={"status": "approved" if code in approved_in else "refused"})
            for type_code, unit, amount, rule in CAPS[code]:
                PriceCap.objects.update_or_create(service_type=types[type_code], unit=unit, defaults=dict(
                    amount=Decimal(amount), over_cap_rule=rule))
    return ids
