app_name = "auditpacks"

urlpatterns: list = []
