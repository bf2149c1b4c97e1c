"""Centres of the pilot municipalities (and Rīga): where distances are measured from when a person's
own address has no coordinates. (latitude, longitude, name)."""

CENTRES: dict[str, tuple[float, float, str]] = {
    "jelgava": (56.6511, 23.7214, "Jelgava"),
    "bauska": (56.4079, 24.1944, "Bauska"),
    "liepaja": (56.5047, 21.0108, "Liepāja"),
    "talsi": (57.2447, 22.5889, "Talsi"),
    "rezekne": (56.5099, 27.3331, "Rēzekne"),
    "balvi": (57.1313, 27.2656, "Balvi"),
    "daugavpils": (55.8747, 26.5362, "Daugavpils"),
    "valmiera": (57.5411, 25.4275, "Valmiera"),
    "madona": (56.8537, 26.2170, "Madona"),
    "cesis": (57.3119, 25.2706, "Cēsis"),
    "gulbene": (57.1772, 26.7527, "Gulbene"),
    "ogre": (56.8162, 24.6140, "Ogre"),
    "tukums": (56.9671, 23.1554, "Tukums"),
    "riga": (56.9496, 24.1052, "Rīga"),
}
