"""A refused command line is repeated in the USAGE error without the value of any option that
names a password, a secret, a PSC or a key (the option that names a file of one stays)."""
from __future__ import annotations

from terminal.cli import shown_argv


def test_secret_option_values_are_hidden_and_file_options_kept() -> None:
    argv = ["operator", "add", "--password", "hunter22", "--admin-password=abc12345", "--card-psc", "ffffff",
            "--password-file", "/etc/pw", "--password-stdin", "--meter", "0123456789", "--sts-key", "0011"]
    assert shown_argv(argv) == ["operator", "add", "--password", "***", "--admin-password=***", "--card-psc",
                                "***", "--password-file", "/etc/pw", "--password-stdin", "--meter", "0123456789",
                                "--sts-key", "***"]
