"""The touchscreen kiosk (Kivy): `ppms kiosk` (terminal/cli_commands/kiosk.py) starts `app.KioskApp`.

Screens call `terminal.services` only; device and worker results reach widgets through
`mainthread.Bridge`. Importing this package does not import Kivy: `app` does.
"""
