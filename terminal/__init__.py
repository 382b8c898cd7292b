"""PPMS vending terminal.

Importable without Kivy, pyscard or pyserial: devices are reached only through
``terminal.services.ports`` and built in ``terminal.bootstrap``.
"""

__version__ = "0.1.0"
