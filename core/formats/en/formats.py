# Readers see DATE_FORMAT, day first with the month in words ("Page Updated: 18 May 2016"),
# never ambiguous on either side of the Atlantic; the short forms are for staff tables and forms.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATETIME_FORMAT = "j F Y, H:i"
# 1,621 communes/sangkats; 1.25 MB.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
