# As Canada and France write them: 18 mai 2016 (what readers see), 18/05/2016 (staff tables and
# forms), 14 h 30.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
TIME_FORMAT = r"G \h i"
DATETIME_FORMAT = r"j F Y, G \h i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
# 1 621 with a no-break space, as Django's French formats write it; 1,25 Mo.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
