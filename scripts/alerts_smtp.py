"""An aiosmtpd handler for scripts/alerts_check.sh and scripts/pages.sh: aiosmtpd (PyPI) speaks
SMTP on a real socket; this handler writes every accepted message to FOLDER/<n>.eml (with an
X-Test-Rcpt line for the envelope recipients) and answers RCPT as FOLDER/mode says:
    accept      250 (the default)
    451 N       451 for the next N recipients, then accept
    550         550 for every recipient
Each refusal is appended to FOLDER/refused.log. Run as:
    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c alerts_smtp.Folder FOLDER
"""

import os


class Folder:
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("alerts_smtp.Folder takes one argument: the folder")
        return cls(args[0])

    def _mode(self):
        try:
            with open(os.path.join(self.folder, "mode")) as f:
                return f.read().split()
        except FileNotFoundError:
            return ["accept"]

    def _refuse(self, code, address):
        with open(os.path.join(self.folder, "refused.log"), "a") as f:
            f.write(f"{code} {address}\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self._mode()
        if mode and mode[0] == "451" and int(mode[1]) > 0:
            with open(os.path.join(self.folder, "mode"), "w") as f:
                f.write(f"451 {int(mode[1]) - 1}\n")
            self._refuse(451, address)
            return "451 4.3.0 Try again later"
        if mode and mode[0] == "550":
            self._refuse(550, address)
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(self.folder) if f.endswith(".eml")])
        tmp = os.path.join(self.folder, f".{n}.tmp")
        with open(tmp, "wb") as f:
            f.write(b"X-Test-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.folder, f"{n:05d}.eml"))
        return "250 Message accepted for delivery"
