"""Thin python-telegram-bot glue: read the update, call bot/ services, reply."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.forms.registry import form_specs
from handlers import (
    children,
    conversation,
    errors,
    escalations,
    exports,
    fallback,
    files,
    forms,
    gate,
    imports,
    menu,
    practice,
    reminders,
    spotcheck,
    start,
    stats,
    training,
    urgent,
    visits,
)


def register_form_openers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add a handler for every /command and button a registered form declares it opens from."""
    for spec in form_specs():
        opener = spec.opener
        if opener.command:
            application.add_handler(CommandHandler(opener.command, forms.command_opener(spec.name)))
        if opener.button is not None:
            application.add_handler(
                CallbackQueryHandler(
                    forms.button_opener(spec.name, opener.button), pattern=opener.button.pattern
                )
            )


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler in the order they must be tried."""
    application.add_handler(TypeHandler(Update, gate.resolve_caller), group=-2)
    # Before the update's own handler: a menu item, command or button pauses the form in front.
    application.add_handler(TypeHandler(Update, conversation.pause_form_in_front), group=-1)
    application.add_handler(CommandHandler("start", start.start))
    application.add_handler(CommandHandler("help", menu.show_help))
    application.add_handler(CommandHandler("lang", menu.choose_language))
    application.add_handler(CommandHandler("menu", menu.show_menu))
    application.add_handler(CommandHandler("cancel", menu.cancel))
    application.add_handler(CommandHandler("children", children.children_command))
    application.add_handler(CommandHandler("visit", visits.visit_command))
    application.add_handler(CommandHandler("escalations", escalations.list_escalations))
    application.add_handler(CommandHandler("urgent", urgent.urgent_command))
    application.add_handler(CommandHandler("complete", urgent.complete_command))
    application.add_handler(CommandHandler("spotcheck", spotcheck.spot_check_command))
    application.add_handler(CommandHandler("tasks", spotcheck.tasks_command))
    application.add_handler(CommandHandler("training", training.training_command))
    application.add_handler(CommandHandler("practice", practice.practice))
    application.add_handler(CommandHandler("export", exports.export_command))
    application.add_handler(CommandHandler("stats", stats.show_stats))
    register_form_openers(application)
    application.add_handler(
        CallbackQueryHandler(reminders.snooze, pattern=reminders.SNOOZE_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(escalations.escalation_button, pattern=escalations.ESCALATION_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(urgent.village_button, pattern=urgent.VILLAGE_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(urgent.unfiled_button, pattern=urgent.UNFILED_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(escalations.informed_button, pattern=escalations.INFORMED_PATTERN)
    )
    application.add_handler(CallbackQueryHandler(forms.press, pattern=forms.FORM_PATTERN))
    application.add_handler(CallbackQueryHandler(stats.stats_button, pattern=stats.STATS_PATTERN))
    application.add_handler(
        CallbackQueryHandler(training.training_button, pattern=training.TRAINING_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(spotcheck.task_done_button, pattern=spotcheck.TASK_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(spotcheck.progress_button, pattern=spotcheck.PROGRESS_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(practice.practice_action, pattern=practice.PRACTICE_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(imports.ledger_button, pattern=imports.LEDGER_IMPORT_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(children.children_button, pattern=children.CHILDREN_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(exports.export_button, pattern=exports.EXPORT_PATTERN)
    )
    application.add_handler(CallbackQueryHandler(files.file_button, pattern=files.FILES_PATTERN))
    application.add_handler(CallbackQueryHandler(menu.set_language, pattern=menu.LANGUAGE_PATTERN))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, menu.menu_item))
    application.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command))
    application.add_handler(MessageHandler(filters.Document.ALL, imports.ledger_document))
    application.add_handler(CallbackQueryHandler(fallback.stale_button))
    application.add_handler(MessageHandler(filters.ALL, fallback.unsupported_message))
    # After it: the offer to continue the paused form, unless a form took the front again.
    application.add_handler(TypeHandler(Update, conversation.offer_to_continue), group=1)
    application.add_error_handler(errors.report_error)
