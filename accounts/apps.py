from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from accounts import receivers
        from accounts.roles import Role
        from accounts.staff_areas import StaffArea, register

        receivers.connect()
        register(
            StaffArea(
                "Two-factor sign-in and recovery codes",
                "See your recovery codes or make new ones.",
                "/account/two_factor/backup/tokens/",
                account_chore=True,
            )
        )
        register(
            StaffArea(
                "Change your password",
                "Choose a new password for your account.",
                "/staff/password/",
                account_chore=True,
            )
        )
        register(
            StaffArea(
                "API keys",
                "Issue and revoke the keys partners use to send encounters and call volume.",
                "/staff/api-keys/",
                roles=(Role.PROGRAM_MANAGER,),
            )
        )
        register(
            StaffArea(
                "Audit log",
                "Who did what, when and from where; export as CSV.",
                "/admin/accounts/auditevent/",
                roles=(Role.ADMINISTRATOR,),
            )
        )
        register(
            StaffArea(
                "Accounts, roles and organizations",
                "Add staff, give roles, unlock accounts, keep the directory.",
                "/admin/accounts/user/",
                superuser_only=True,
            )
        )
