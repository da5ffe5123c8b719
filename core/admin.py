from django.contrib import admin

from core.models import OutboxMessage, WorkerHeartbeat

admin.site.register(OutboxMessage)
admin.site.register(WorkerHeartbeat)
