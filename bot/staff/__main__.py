"""Command line: ``python -m bot.staff serve`` and ``python -m bot.staff create-admin``.

create-admin asks for the user name and password interactively, or reads STAFF_ADMIN_USER and
STAFF_ADMIN_PASSWORD from the environment (for scripted installs); it never takes a password as a
command-line argument (that would land in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import List, Optional


def _create_admin(role: str) -> int:
    from bot.staff.auth import AccountError, create_user
    from bot.staff.models import StaffDB
    from bot.staff.settings import get_staff_settings

    settings = get_staff_settings()
    username = os.environ.get("STAFF_ADMIN_USER") or input("用户名（字母或数字）: ").strip()
    password = os.environ.get("STAFF_ADMIN_PASSWORD")
    if not password:
        password = getpass.getpass("密码（至少10个字符）: ")
        if getpass.getpass("再次输入密码: ") != password:
            print("两次输入的密码不一致。", file=sys.stderr)
            return 1
    from bot.storage.migrate import upgrade

    upgrade(settings.database_url)
    db = StaffDB(settings.database_url)
    try:
        user = create_user(db, username, password, role=role)
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"已创建{'管理员' if role == 'admin' else '工作人员'}账号：{user.username}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.staff", description="Hotline staff lookup service")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the service (STAFF_HOST, STAFF_PORT, RASA_URL …)")
    sub.add_parser("create-admin", help="create an admin account (interactive, or STAFF_ADMIN_USER/_PASSWORD)")
    sub.add_parser("create-staff", help="create a staff account the same way (admins can also do it on the page)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        from bot.staff.app import run

        run()
        return 0
    return _create_admin("admin" if args.command == "create-admin" else "staff")


if __name__ == "__main__":
    sys.exit(main())
