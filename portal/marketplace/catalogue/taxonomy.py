"""The taxonomy of community-based services (DOMAIN.md, seeds 002–003).

The data migration seeds it from here; keep codes stable: other areas, the
HSDS export and price caps refer to them.
"""

# (code, name_lv, name_en, default_unit, description_lv, description_en)
SERVICE_TYPES = [
    ("home-care", "Aprūpe mājās", "Home care", "hour",
     "Palīdzība ikdienas darbos un pašaprūpē personas dzīvesvietā.",
     "Help with daily tasks and personal care in the person's home."),
    ("respite-care", "Atelpas brīža pakalpojums mājoklī", "Respite care at home", "day",
     "Īslaicīga aprūpe, lai ģimene vai aprūpētājs varētu atpūsties.",
     "Short-term care so that the family or carer can rest."),
    ("decision-support", "Atbalsta persona lēmumu pieņemšanā", "Support person for decision-making", "hour",
     "Atbalsts, lai persona pati pieņemtu lēmumus; atbalsta persona nelemj personas vietā.",
     "Support so that the person makes their own decisions; the support person never decides for them."),
    ("psychosocial-rehab-children", "Psihosociālā rehabilitācija bērniem (t. sk. autiskā spektra traucējumi)",
     "Psychosocial rehabilitation for children (incl. autism spectrum)", "session",
     "Regulāras nodarbības bērnam, vecākiem vai abiem, arī bērniem ar autiskā spektra traucējumiem.",
     "Regular sessions for the child, the parents or both, including children on the autism spectrum."),
    ("psychologist", "Psihologa konsultācijas", "Psychologist consultations", "session",
     "Individuālas psihologa konsultācijas personai vai ģimenei.",
     "Individual psychologist consultations for the person or the family."),
    ("day-care", "Dienas aprūpes centrs", "Day care centre", "day",
     "Dienas laikā sniegta aprūpe, sociālās prasmes un brīvā laika aktivitātes.",
     "Care, social skills and leisure activities during the day."),
    ("group-apartment", "Grupu dzīvoklis", "Group apartment", "day",
     "Dzīvošana grupu dzīvoklī ar sociālā darbinieka un mentora atbalstu.",
     "Living in a group apartment with support from a social worker and mentor."),
    ("specialised-workshop", "Specializētā darbnīca", "Specialised workshop", "day",
     "Darba prasmju apguve un uzturēšana specializētā darbnīcā.",
     "Learning and keeping work skills in a specialised workshop."),
    ("social-rehab", "Sociālā rehabilitācija", "Social rehabilitation", "course",
     "Sociālās funkcionēšanas spēju atjaunošana vai uzlabošana kursa veidā.",
     "A course to restore or improve the ability to function socially."),
    ("physiotherapy", "Fizioterapija", "Physiotherapy", "session",
     "Kustību spēju uzlabošana un uzturēšana ar fizioterapeita palīdzību.",
     "Improving and keeping the ability to move with a physiotherapist."),
    ("ergotherapy", "Ergoterapija", "Occupational therapy (ergotherapy)", "session",
     "Ikdienas prasmju un patstāvības attīstīšana ar ergoterapeita palīdzību.",
     "Developing daily skills and independence with an occupational therapist."),
    ("speech-therapy", "Logopēds", "Speech therapy", "session",
     "Runas, valodas un saziņas prasmju attīstīšana ar logopēdu.",
     "Developing speech, language and communication with a speech therapist."),
    ("transport", "Transports uz pakalpojumu", "Transport to services", "session",
     "Specializētais transports, lai nokļūtu līdz pakalpojuma saņemšanas vietai.",
     "Adapted transport to reach the place where a service is delivered."),
]
SERVICE_TYPE_CODES = [row[0] for row in SERVICE_TYPES]

# Types with rules of their own (``agreements.limits``): respite care is counted in days against the
# municipality's yearly limit; the support person for decision-making may run up to 24 months.
RESPITE_CARE = "respite-care"
DECISION_SUPPORT = "decision-support"
# A type listed here is offered in this unit only (a provider cannot price respite care per hour).
FIXED_UNITS = {RESPITE_CARE: "day"}
