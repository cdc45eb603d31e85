# Long dates, what readers see, as Django's Khmer formats write them (18 ខែ ឧសភា ឆ្នាំ 2016); the
# short date, for staff tables and forms, is day first with numbers as in Cambodia (18/05/2016),
# rather than Django's "j M Y", whose month abbreviations Django does not translate into Khmer.
DATE_FORMAT = "j ខែ F ឆ្នាំ Y"
SHORT_DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "j ខែ F ឆ្នាំ Y, G:i"
SHORT_DATETIME_FORMAT = "d/m/Y G:i"
# Separators as Django's (and CLDR's) Khmer: 1.621; 1,25 MB.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
