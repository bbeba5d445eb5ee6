"""Compile locale/*/LC_MESSAGES/django.po into django.mo in pure Python (no GNU msgfmt)."""

from django.core.management.base import BaseCommand, CommandError

from enroll.i18n_tools import po_files, read_po, write_mo


class Command(BaseCommand):
    help = "Compile the .po translation catalogs to .mo without GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if a committed .mo differs from its .po."
        )

    def handle(self, *args, check=False, **options):
        stale = []
        for po in po_files():
            mo = po.with_suffix(".mo")
            data = write_mo(read_po(po))
            if check:
                if not mo.exists() or mo.read_bytes() != data:
                    stale.append(str(mo))
                continue
            mo.write_bytes(data)
            self.stdout.write(f"compiled {mo}")
        if stale:
            raise CommandError(
                "Stale catalogs (run python manage.py compile_translations): " + ", ".join(stale)
            )
