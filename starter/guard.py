"""Run a command's coroutine so that every failure a user can cause ends as one line on stderr."""

import asyncio
import os
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import NoReturn

import typer
from pydantic import ValidationError

# Typer vendors its own click; its usage errors are these classes, not the click package's.
from typer._click import exceptions as click_errors

from runtime.settings import Settings
from starter.errors import BadSetting, CliError


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def guarded(act: Callable[[], Awaitable[None]]) -> None:
    """asyncio.run(act()), with CliError and anything unexpected reduced to one line and an exit code."""
    try:
        asyncio.run(act())
    except CliError as error:
        fail(str(error))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as error:  # noqa: BLE001 - the promise is: never a traceback for the user
        if isinstance(error, ValidationError) and error.title == Settings.__name__:
            fail(str(BadSetting.of_settings(error)))  # a person's typo in an ORDERS_* variable, not a bug
        unexpected(error)
        raise typer.Exit(2) from None


def unexpected(error: Exception) -> None:
    """A bug, not a user's mistake: still one line, with the traceback on demand."""
    if os.environ.get("ORDERS_LOG_LEVEL", "").upper() == "DEBUG":
        traceback.print_exception(error)
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]  # a task group's one failure says more than the group
    detail = str(error).splitlines()[0] if str(error) else ""
    print(f"error: unexpected {type(error).__name__}: {detail} (ORDERS_LOG_LEVEL=DEBUG shows the traceback)", file=sys.stderr)


class OrdersApp(typer.Typer):
    """The Typer app, with usage errors in one line and the process ended by os._exit.

    The Temporal client's Rust threads can outlive the event loop, and CPython's finalization
    then sometimes crashes with SIGSEGV or SIGABRT (temporalio/sdk-python#300): a command that
    succeeded would exit 139. Every command has finished its work and cleanup here, so the
    exit skips only that teardown. Tests that invoke the click command directly are unaffected.
    """

    def __call__(self, args: list[str] | None = None, prog_name: str | None = None) -> NoReturn:
        code = self.run_command(args, prog_name)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    def run_command(self, args: list[str] | None = None, prog_name: str | None = None) -> int:
        command = typer.main.get_command(self)
        try:
            result = command.main(args=args, prog_name=prog_name, standalone_mode=False)
        except click_errors.NoArgsIsHelpError as error:
            print(error.ctx.get_help() if error.ctx else error.format_message())
            return 0
        except click_errors.UsageError as error:
            hint = f" (see `{error.ctx.command_path} --help`)" if error.ctx else ""
            print(f"error: {error.format_message()}{hint}", file=sys.stderr)
            return error.exit_code
        except click_errors.ClickException as error:
            print(f"error: {error.format_message()}", file=sys.stderr)
            return error.exit_code
        except typer.Abort:
            return 1
        except Exception as error:  # noqa: BLE001 - e.g. an import failing in a command's body
            unexpected(error)
            return 2
        # Non-standalone click returns an Exit's code, or the command's own (None) result.
        return result if isinstance(result, int) else 0
