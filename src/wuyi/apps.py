from django.apps import AppConfig


class WuyiConfig(AppConfig):
    name = "wuyi"
    verbose_name = "无疫"
