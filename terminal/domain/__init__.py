"""Pure selling rules of PPMS, standard library only (see README.md beside this file).

Modules: errors (the error tree), money (units and their text), periods (calendar
periods), tariff (the tariff file and its storage form), pricing (total(K)), vend (the
vend calculation), split (mixed-use splits), sale (the sale state machine).
"""
