from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/take/", views.take, name="take"),
    path("tasks/<int:pk>/give-up/", views.give_up, name="give-up"),
    path("tasks/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("me/", views.me, name="me"),
]
