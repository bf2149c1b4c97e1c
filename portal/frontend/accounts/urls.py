from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal.frontend.forms import LoginForm, NewPasswordForm, ResetForm

from . import keys, views
from .views import LimitedPasswordResetView

app_name = "accounts"

urlpatterns = [
    path("ieiet/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
         name="login"),
    path("pariet/", views.handoff_start, name="handoff"),
    path("turpinat/", views.handoff_finish, name="handoff-finish"),
    path("iziet/", auth_views.LogoutView.as_view(), name="logout"),
    path("otrais-solis/", views.two_factor_verify, name="two-factor"),
    path("otrais-solis/iestatit/", views.two_factor_setup, name="two-factor-setup"),
    path("otrais-solis/atjaunot-kodus/", views.recovery_codes_renew, name="recovery-codes"),
    path("otrais-solis/atslega/sakt/", keys.security_key_sign_in_begin, name="security-key-sign-in-begin"),
    path("otrais-solis/atslega/pabeigt/", keys.security_key_sign_in_finish, name="security-key-sign-in-finish"),
    path("drosibas-atslegas/", keys.security_key_list, name="security-keys"),
    path("drosibas-atslegas/sakt/", keys.security_key_register_begin, name="security-key-add-begin"),
    path("drosibas-atslegas/pabeigt/", keys.security_key_register_finish, name="security-key-add-finish"),
    path("drosibas-atslegas/<int:pk>/nonemt/", keys.security_key_remove, name="security-key-remove"),
    path("aktivs/", views.keep_alive, name="keep-alive"),
    path("parole/", LimitedPasswordResetView.as_view(
        form_class=ResetForm, success_url=reverse_lazy("accounts:password_reset_done"),
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt"), name="password_reset"),
    path("parole/nosutits/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("parole/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        form_class=NewPasswordForm, success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm"),
    path("parole/gatavs/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
