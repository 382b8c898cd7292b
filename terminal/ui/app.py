"""The kiosk's Kivy app: one ScreenManager, the operator's session, and the sale being made.

Modes (spec/kiosk.md): "operator" (login, then the menu the operator's permissions allow),
"agent" (the operator flow with the field agent's sync bar) and "self-service" (the estate
office's customer flow, selling as the terminal's own operator). The screens hold no
business rule: they call `terminal.services` on a worker through the bridge and show what
comes back; every error lands on the calm error screen with what to do next.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from terminal.domain.errors import PpmsError
from terminal.services import kiosk, kiosk_office
from terminal.services.auth import Session
from terminal.services.context import Context
from terminal.services.ports import CardInserted, CardRemoved, DeviceEvent, NoteCredited, SyncFinished
from terminal.ui import i18n
from terminal.ui.errors import advice, uncertain
from terminal.ui.mainthread import Bridge

log = logging.getLogger(__name__)

OPERATOR_SCREENS = ("login", "home", "sell", "sell_confirm", "sell_done", "error", "register", "search",
                    "statement", "reading", "shift", "daily")
SELF_SCREENS = ("self_start", "self_pay", "self_done", "error")
#: built when the app starts; the others when first shown (a quicker start)
FIRST_SCREENS = ("login", "self_start", "error")


@dataclass
class KioskSetup:
    """What `ppms kiosk` hands the app: the services context and the devices a replay drives."""
    ctx: Context
    mode: str = "operator"                         # "operator", "agent", "self-service"
    session: Session | None = None                 # self-service: the terminal's own operator
    card_slot: Any = None                          # the emulated reader's slot (insert/remove)
    cash_device: Any = None                        # the acceptor simulator (insert bill type)
    bills: dict[str, str] = field(default_factory=dict)   # bill type -> value, for the simulator
    currency: str = ""
    done_timeout_s: float = 20.0                   # a done screen goes back to the start


class KioskApp(App):
    lang = StringProperty("en")
    bar = StringProperty("")            # the status bar's text
    busy = BooleanProperty(False)       # a service call is running: buttons wait

    def __init__(self, setup: KioskSetup, **kw: Any) -> None:
        super().__init__(**kw)
        self.setup = setup
        self.ctx = setup.ctx
        self.session: Session | None = setup.session
        self.card_present = False
        self.customer: dict[str, Any] | None = None      # whose meter is being sold to
        self.quote: dict[str, Any] | None = None
        self.sale: dict[str, Any] | None = None
        self.error_back = "home"
        self.online: bool | None = None                  # agent: the last sync's outcome
        self.bridge: Bridge | None = None
        self.replay: Any = None                          # the --replay driver, while it runs
        self.title = "PPMS"
        if setup.mode == "self-service" and self.ctx.printer is not None:
            self.ctx.print_on_sale = True   # the customer takes a receipt with every sale

    # -- building -------------------------------------------------------------------------
    def build(self) -> ScreenManager:
        font = i18n.cjk_font()
        if font:
            LabelBase.register(DEFAULT_FONT, font)
        else:
            log.warning("kiosk: no CJK font installed (fonts-wqy-microhei): Chinese shows as boxes")
        Window.clearcolor = (0.96, 0.97, 0.98, 1)
        sm = ScreenManager(transition=NoTransition())
        for name in self.screen_names:
            if name in FIRST_SCREENS:
                sm.add_widget(self._make(name))
        self.bridge = Bridge(self.ctx.events, self.on_device_event)
        self.refresh_bar()
        return sm

    @property
    def screen_names(self) -> tuple[str, ...]:
        return SELF_SCREENS if self.setup.mode == "self-service" else OPERATOR_SCREENS

    def _make(self, name: str) -> Any:
        from terminal.ui import screens  # noqa: PLC0415 (loads the .kv files once Kivy runs)
        return screens.make(name)

    def get_screen(self, name: str) -> Any:
        """The screen, built the first time it is asked for (each screen's module and .kv load then)."""
        if name not in self.root.screen_names:
            if name not in self.screen_names:
                raise KeyError(name)
            self.root.add_widget(self._make(name))
        return self.root.get_screen(name)

    def on_stop(self) -> None:
        if self.bridge is not None:
            self.bridge.close()

    # -- words ----------------------------------------------------------------------------
    def tr(self, lang: str, text: str) -> str:
        """kv calls `app.tr(app.lang, TEXT)` so that a language change redraws every text."""
        return i18n.tr(lang, text)

    def t(self, text: str) -> str:
        return i18n.tr(self.lang, text)

    def money(self, amount: str | None) -> str:
        return i18n.money(self.lang, amount, self.setup.currency)

    def day_text(self, lang: str, day: str) -> str:
        return i18n.day(lang, day)

    def set_language(self, lang: str) -> None:
        if lang in i18n.LANGUAGES:
            self.lang = lang
            self.refresh_bar()

    def choose_language(self, lang: str) -> None:
        """The operator switches language: shown at once, stored as the operator's choice."""
        self.set_language(lang)
        ctx, session = self.ctx, self.session
        if session is not None and self.setup.mode != "self-service":
            self.call(lambda: kiosk_office.set_language(ctx, session, lang), lambda _r: None)

    # -- moving between screens -------------------------------------------------------------
    @property
    def screen(self) -> str:
        return str(self.root.current) if self.root is not None else ""

    def show(self, name: str) -> None:
        self.get_screen(name)
        self.root.current = name

    def call(self, task: Callable[[], Any], done: Callable[[Any], None], back: str | None = None,
             settles: bool = True) -> None:
        """A service call on the worker; its error goes to the error screen (back to `back`)."""
        assert self.bridge is not None
        self.busy = True

        def ok(result: Any) -> None:
            self.busy = False
            done(result)

        def failed(exc: Exception) -> None:
            self.busy = False
            self.fail(exc, back or self.screen)
        self.bridge.work(task, ok, failed, settles)

    def fail(self, exc: Exception, back: str) -> None:
        title, what_next = advice(exc)
        screen = self.get_screen("error")
        screen.title_text = self.t(title)
        inside = self.t("Something went wrong inside the terminal.")
        screen.message = exc.message if isinstance(exc, PpmsError) else inside
        screen.advice = self.t(what_next)
        screen.code = exc.code if isinstance(exc, PpmsError) else "INTERNAL"
        if not isinstance(exc, PpmsError):
            log.exception("kiosk: unexpected failure", exc_info=exc)
        if uncertain(exc):
            self.new_sale()   # the sale waits PENDING: the card is read again, and that decides it
        self.error_back = back
        self.show("error")

    def start_screen(self) -> str:
        if self.setup.mode == "self-service":
            return "self_start"
        return "home" if self.session is not None else "login"

    def new_sale(self) -> None:
        self.customer = self.quote = self.sale = None

    def logged_in(self, session: Session, lang: str | None = None) -> None:
        """`lang`: the operator's stored language, applied at once (None: the one shown stays)."""
        self.session = session
        if lang is not None:
            self.set_language(lang)
        self.refresh_bar()
        self.show("home")

    def logout(self) -> None:
        self.session = None
        self.new_sale()
        self.refresh_bar()
        self.show("login")

    # -- device events (main thread, through the bridge) -----------------------------------
    def on_device_event(self, event: DeviceEvent) -> None:
        if isinstance(event, CardInserted):
            self.card_present = True
        elif isinstance(event, CardRemoved):
            self.card_present = False
        elif isinstance(event, SyncFinished):
            self.online = event.ok
            self.refresh_bar()
        if self.root is None:
            return
        current = self.root.current_screen
        handler = getattr(current, "on_device", None)
        if handler is not None:
            handler(event)
        if isinstance(event, NoteCredited) and not hasattr(current, "on_device"):
            log.warning("kiosk: a note of %d was credited off the payment screen", event.value)

    def refresh_bar(self) -> None:
        parts = [self.ctx.terminal_name or self.ctx.terminal_id]
        if self.session is not None:
            parts.append(f"{self.t('Operator')}: {self.session.username}")
        if self.setup.mode == "agent":
            status = kiosk.agent_status(self.ctx)
            online = {True: self.t("online"), False: self.t("offline"), None: self.t("offline")}[self.online]
            limits = status["offline_limits"] or self.t("unknown")
            parts += [online.upper(), f"{self.t('Last sync')}: {i18n.when(self.lang, status['last_sync'])}",
                      f"{self.t('Offline limits')}: {limits}"]
        self.bar = "   |   ".join(parts)

    def after(self, seconds: float, call: Callable[[], None]) -> Any:
        return Clock.schedule_once(lambda _dt: call(), seconds)


def screenshot(app: KioskApp, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    app.root.export_to_png(str(path))
    return path
