using System.Globalization;
using System.Text;
using EventFunctions.Shared.Console;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Text;
using EventFunctions.Shared.Web;
using EventFunctions.Shared.Web.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Http;

/// <summary>
/// The organisers' console behind the <c>console/…</c> HTTP functions: server-rendered pages (no script), every
/// route refusing anonymous callers and other units' organisers, every change protected against cross-site request
/// forgery and recorded with who made it.
/// </summary>
public sealed class ConsoleApi(
    ConsoleAuth auth,
    ConsoleQueries queries,
    OrganiserDirectory directory,
    AuditLog audit,
    EventService events,
    EventLedger ledger,
    Attendance.AttendanceService attendance,
    Attendance.DoorLinks doorLinks,
    Attendance.CsvExport csv,
    Notifications.ResendService resend,
    PageRenderer pages,
    TimeProvider clock,
    IOptions<Storage.EventFunctionsOptions> options,
    ILogger<ConsoleApi> log)
{
    public const string Base = "/api/console";

    // ---- Sign-in ----

    public Task<IActionResult> SignInPageAsync(HttpRequest request, CancellationToken ct) => Guard(request, async () =>
    {
        var returnUrl = SafeReturnUrl(request.Query["returnUrl"].FirstOrDefault());
        if (auth.PlatformAuthentication)
            return new RedirectResult(auth.PlatformSignInUrl(returnUrl));
        return await SignInFormAsync(returnUrl, null, null, 200);
    });

    public Task<IActionResult> SignInAsync(HttpRequest request, CancellationToken ct) => Guard(request, async () =>
    {
        if (!auth.DevelopmentSignInEnabled) return await MessageAsync(null, 404, "没有开发环境登录 No development sign-in", "开发环境登录只在 Development 环境中存在。The development sign-in exists only in the Development environment.");
        var form = await ReadFormAsync(request, ct);
        if (form.Error is not null) return form.Error;
        var returnUrl = SafeReturnUrl(form.Value!["returnUrl"].FirstOrDefault());
        var email = Input.NormaliseEmail(form.Value!["email"].FirstOrDefault());
        if (email is null) return await SignInFormAsync(returnUrl, form.Value!["email"].FirstOrDefault(), "请输入有效的邮箱 Enter a valid email address.", 400);
        var user = await directory.FindAsync(email, developmentSignIn: true, ct);
        if (user is null) return await SignInFormAsync(returnUrl, email, "此邮箱不是管理员或组织者：请管理员先添加。This email is not an admin or organiser: ask an admin to add it.", 403);
        auth.SignInForDevelopment(request.HttpContext.Response, email);
        log.LogInformation("Console: development sign-in as {Role} of {Unit}", user.Role, user.Unit);
        return new RedirectResult(returnUrl);
    });

    public Task<IActionResult> SignOutAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, form) =>
    {
        ConsoleAuth.SignOutOfDevelopment(request.HttpContext.Response);
        await Task.CompletedTask;
        return new RedirectResult(auth.PlatformAuthentication ? "/.auth/logout" : $"{Base}/signin");
    }, isChange: true);

    // ---- Dashboard ----

    public Task<IActionResult> DashboardAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, _) =>
        Page(await pages.RenderAsync<DashboardPage>(new()
        {
            [nameof(DashboardPage.User)] = user,
            [nameof(DashboardPage.Csrf)] = auth.AntiforgeryToken(user),
            [nameof(DashboardPage.Rows)] = await queries.DashboardAsync(user, ct),
            [nameof(DashboardPage.Now)] = clock.GetUtcNow(),
        })));

    // ---- Create and edit ----

    public Task<IActionResult> NewEventFormAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, _) =>
    {
        var start = clock.GetUtcNow().AddDays(14);
        var local = TimeZoneInfo.ConvertTime(start, TimeZoneInfo.FindSystemTimeZoneById(EventValidator.DefaultTimeZone)).Date.AddHours(14);
        var values = new Dictionary<string, string>
        {
            ["kind"] = "salon",
            ["start"] = local.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            ["end"] = local.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            ["capacity"] = "30",
            ["waitlistAllowed"] = "on",
            ["organiserName"] = user.Unit,
            ["organiserEmail"] = user.Email,
            ["unit"] = user.Unit,
        };
        return await FormPageAsync(user, null, values, null, null, 200, ct);
    });

    public Task<IActionResult> CreateEventAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, form) =>
    {
        var values = EventForm.Values(form!);
        var unit = UnitFor(user, values);
        var input = EventForm.ToInput(values, unit);
        var action = form!["action"].FirstOrDefault();
        if (action == "edit") return await FormPageAsync(user, null, values, null, null, 200, ct);
        if (action == "preview") return await PreviewAsync(user, null, values, input, ct);

        var outcome = await events.CreateAsync(input, ct);
        switch (outcome)
        {
            case EventOutcome.Created created:
                await audit.RecordAsync(created.Event.Id, user, "创建 Created", $"{created.Event.Kind}, {created.Event.Capacity} seats", "OK", ct);
                return SeeOther($"{Base}/events/{created.Event.Id}?done=created");
            case EventOutcome.Invalid invalid:
                return await FormPageAsync(user, null, values, invalid.Errors, null, 400, ct);
            default:
                return await FormPageAsync(user, null, values, null, Busy, 503, ct, unavailable: request);
        }
    }, isChange: true);

    public Task<IActionResult> EditEventFormAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, _) =>
        await FormPageAsync(user, e.Id, EventForm.FromRecord(e), null, null, 200, ct));

    public Task<IActionResult> UpdateEventAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, form) =>
    {
        var values = EventForm.Values(form!);
        var unit = UnitFor(user, values, e.Unit);
        var input = EventForm.ToInput(values, unit);
        var action = form!["action"].FirstOrDefault();
        if (action == "edit") return await FormPageAsync(user, e.Id, values, null, null, 200, ct);
        if (action == "preview") return await PreviewAsync(user, e, values, input, ct);

        var outcome = await events.UpdateAsync(e.Id, input, ct);
        await audit.RecordAsync(e.Id, user, "编辑 Edited", Changes(e, outcome), outcome.GetType().Name, ct);
        return outcome switch
        {
            EventOutcome.Ok => SeeOther($"{Base}/events/{e.Id}?done=updated"),
            EventOutcome.Invalid invalid => await FormPageAsync(user, e.Id, values, invalid.Errors, null, 400, ct),
            EventOutcome.NotFound => await MessageAsync(user, 404, "找不到活动 Event not found", "此活动不存在。No event has this id."),
            EventOutcome.Unknown => await FormPageAsync(user, e.Id, values, null, Unknown, 503, ct, unavailable: request),
            _ => await FormPageAsync(user, e.Id, values, null, Busy, 503, ct, unavailable: request),
        };
    }, isChange: true);

    // ---- Event page and actions ----

    public Task<IActionResult> EventPageAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, _) =>
    {
        var search = Input.Clean(request.Query["q"].FirstOrDefault());
        var flash = request.Query["done"].FirstOrDefault() switch
        {
            "created" => "活动已发布 The event is published.",
            "updated" => "已保存 Saved.",
            "capacity" => "名额已修改 Seats changed.",
            "closed" => "报名已截止 Sign-up is closed.",
            "door-revoked" => "旧签到链接已停用，请把下方新链接发给签到志愿者 The old door links no longer work: give door staff the new one below.",
            "cancelled" => "活动已取消 The event is cancelled.",
            "removed" => "已移除该报名 The registration is removed.",
            "resent" => "确认邮件将重新发送 The confirmation will be sent again.",
            "checkedin" => "已签到 Checked in.",
            "undone" => "已撤销签到 Check-in taken back.",
            _ => null,
        };
        return await EventPageAsync(user, e, search, flash, null, 200, ct);
    });

    public Task<IActionResult> SetCapacityAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, form) =>
    {
        if (!int.TryParse(form!["capacity"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var capacity))
            return await EventPageAsync(user, e, null, null, "名额须为正整数 Seats must be a whole number.", 400, ct);
        var outcome = await events.SetCapacityAsync(e.Id, capacity, ct);
        await audit.RecordAsync(e.Id, user, "修改名额 Seats", $"{e.Capacity} → {capacity}", outcome.GetType().Name, ct);
        return await AfterChangeAsync(request, user, e, outcome, "capacity", ct);
    }, isChange: true);

    public Task<IActionResult> CloseSignUpAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await events.CloseSignUpAsync(e.Id, ct);
        await audit.RecordAsync(e.Id, user, "截止报名 Closed sign-up", "", outcome.GetType().Name, ct);
        return await AfterChangeAsync(request, user, e, outcome, "closed", ct);
    }, isChange: true);

    public Task<IActionResult> RevokeDoorLinksAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await events.RevokeDoorLinksAsync(e.Id, ct);
        await audit.RecordAsync(e.Id, user, "停用签到链接 Revoked door links", "", outcome.GetType().Name, ct);
        return await AfterChangeAsync(request, user, e, outcome, "door-revoked", ct);
    }, isChange: true);

    public Task<IActionResult> CancelEventAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, form) =>
    {
        if (form!["confirm"].FirstOrDefault() != "yes")
            return await EventPageAsync(user, e, null, null, "请勾选“确认取消”再取消活动 Tick “I am sure” to cancel the event.", 400, ct);
        var outcome = await events.CancelEventAsync(e.Id, ct);
        await audit.RecordAsync(e.Id, user, "取消活动 Cancelled the event", "", outcome.GetType().Name, ct);
        return await AfterChangeAsync(request, user, e, outcome, "cancelled", ct);
    }, isChange: true);

    public Task<IActionResult> RemoveRegistrationAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, form) =>
    {
        var row = await queries.FindRegistrationAsync(e.Id, registrationId, ct);
        if (row is null) return await EventPageAsync(user, e, null, null, "找不到此报名（可能已取消）No such registration (it may have been cancelled).", 404, ct);
        if (form!["confirm"].FirstOrDefault() != "yes")
            return await EventPageAsync(user, e, null, null, "请勾选确认再移除 Tick “sure” to remove.", 400, ct);
        var result = await ledger.CancelAsync(e.Id, row.RowKey, row.RegistrationId);
        await audit.RecordAsync(e.Id, user, "移除报名 Removed a registration", row.RegistrationId, result.GetType().Name, ct);
        return result switch
        {
            CancelResult.Cancelled => SeeOther($"{Base}/events/{e.Id}?done=removed"),
            CancelResult.NotFound => await EventPageAsync(user, e, null, null, "找不到此报名（可能已取消）No such registration (it may have been cancelled).", 404, ct),
            CancelResult.Unknown => HttpIO.Unavailable(request, await EventPageAsync(user, e, null, null, Unknown, 503, ct)),
            _ => HttpIO.Unavailable(request, await EventPageAsync(user, e, null, null, Busy, 503, ct)),
        };
    }, isChange: true);

    /// <summary>Sends a person's confirmation again (for their current status), e.g. after a bounce.</summary>
    public Task<IActionResult> ResendAsync(HttpRequest request, string eventId, string registrationId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, _) =>
    {
        var outcome = await resend.ResendAsync(e.Id, registrationId, "organiser:" + user.Email, ct);
        await audit.RecordAsync(e.Id, user, "重发确认 Resent a confirmation", registrationId, outcome.GetType().Name, ct);
        return outcome switch
        {
            Notifications.ResendOutcome.Queued => SeeOther($"{Base}/events/{e.Id}?done=resent"),
            Notifications.ResendOutcome.Limited => await EventPageAsync(user, e, null, "刚刚已重发，请稍候 Just resent; it is on its way.", null, 200, ct),
            Notifications.ResendOutcome.NotFound => await EventPageAsync(user, e, null, null, "找不到此报名（可能已取消）No such registration (it may have been cancelled).", 404, ct),
            _ => HttpIO.Unavailable(request, await EventPageAsync(user, e, null, null, Busy, 503, ct)),
        };
    }, isChange: true);

    /// <summary>An organiser checks someone in from the event page (or takes a check-in back): the same ledger operation as the door's.</summary>
    public Task<IActionResult> CheckInAsync(HttpRequest request, string eventId, string registrationId, bool undo, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, form) =>
    {
        var key = form!["key"].FirstOrDefault();
        if (key is null || !(key.StartsWith("reg-", StringComparison.Ordinal) || key.StartsWith("walkin-", StringComparison.Ordinal)))
            return await EventPageAsync(user, e, null, null, "找不到此人 No such person.", 404, ct);
        var actor = "organiser:" + user.Email;
        var outcome = undo ? await attendance.UndoAsync(e.Id, key, actor, ct) : await attendance.CheckInAsync(e.Id, key, actor, ct);
        await audit.RecordAsync(e.Id, user, undo ? "撤销签到 Undid a check-in" : "签到 Checked in", registrationId, outcome.GetType().Name, ct);
        return outcome switch
        {
            Attendance.CheckInOutcome.CheckedIn or Attendance.CheckInOutcome.Undone => SeeOther($"{Base}/events/{e.Id}?done={(undo ? "undone" : "checkedin")}"),
            Attendance.CheckInOutcome.AlreadyCheckedIn a => await EventPageAsync(user, e, null, $"已签到 {ConsoleFormat.Local(e, a.At)} · Already checked in", null, 200, ct),
            Attendance.CheckInOutcome.NotCheckedIn => await EventPageAsync(user, e, null, "此人尚未签到 Not checked in", null, 200, ct),
            Attendance.CheckInOutcome.Refused r => await EventPageAsync(user, e, null, null, Attendance.DoorApi.Refusal(Attendance.DoorText.Chinese, r.Reason), 409, ct),
            Attendance.CheckInOutcome.Unknown => HttpIO.Unavailable(request, await EventPageAsync(user, e, null, null, Unknown, 503, ct)),
            _ => HttpIO.Unavailable(request, await EventPageAsync(user, e, null, null, Busy, 503, ct)),
        };
    }, isChange: true);

    // ---- Exports and reports ----

    public Task<IActionResult> ExportAsync(HttpRequest request, string eventId, string what, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, _) =>
    {
        var bytes = what == "attendance" ? await csv.AttendanceByUnitAsync(e.Id, ct) : await csv.RegistrationsAsync(e.Id, ct);
        if (bytes is null) return await MessageAsync(user, 404, "找不到活动 Event not found", "此活动不存在。No event has this id.");
        await audit.RecordAsync(e.Id, user, "导出 Exported", what, "OK", ct);
        return Csv(request, bytes, $"{e.Id}-{what}.csv");
    });

    public Task<IActionResult> ReportsAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, _) =>
    {
        var (from, to, error) = Range(request);
        var units = error is null ? await attendance.UnitReportAsync(from, to, user.CanManage, ct) : [];
        return Page(await pages.RenderAsync<ReportsPage>(new()
        {
            [nameof(ReportsPage.User)] = user,
            [nameof(ReportsPage.Csrf)] = auth.AntiforgeryToken(user),
            [nameof(ReportsPage.From)] = from,
            [nameof(ReportsPage.To)] = to,
            [nameof(ReportsPage.Units)] = units,
            [nameof(ReportsPage.Error)] = error,
        }), error is null ? 200 : 400);
    });

    public Task<IActionResult> ReportCsvAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, _) =>
    {
        var (from, to, error) = Range(request);
        if (error is not null) return await MessageAsync(user, 400, "日期有误 Wrong dates", error, $"{Base}/reports", "报表 Reports");
        await audit.RecordAsync(null, user, "导出单位报表 Exported the unit report", $"{from:yyyy-MM-dd}..{to:yyyy-MM-dd}", "OK", ct);
        return Csv(request, await csv.UnitReportAsync(from, to, user.CanManage, ct), $"units-{from:yyyyMMdd}-{to:yyyyMMdd}.csv");
    });

    /// <summary>A report's date range from the query (event-local dates); this month so far when none is given.</summary>
    private (DateOnly From, DateOnly To, string? Error) Range(HttpRequest request)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(EventValidator.DefaultTimeZone)).DateTime);
        var from = new DateOnly(today.Year, today.Month, 1);
        var to = from.AddMonths(1).AddDays(-1);
        string? error = null;
        if (request.Query["from"].FirstOrDefault() is { Length: > 0 } f && !DateOnly.TryParseExact(f, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
            error = "开始日期格式应为 2026-12-01 · The start date must look like 2026-12-01.";
        if (request.Query["to"].FirstOrDefault() is { Length: > 0 } t && !DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out to))
            error = "结束日期格式应为 2026-12-31 · The end date must look like 2026-12-31.";
        if (error is null && to < from) error = "结束日期不能早于开始日期 · The end date is before the start date.";
        if (error is null && to.DayNumber - from.DayNumber > 3660) error = "日期范围最长十年 · At most ten years at a time.";
        return (from, to, error);
    }

    private static IActionResult Csv(HttpRequest request, byte[] bytes, string fileName)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return new FileContentResult(bytes, "text/csv; charset=utf-8") { FileDownloadName = fileName };
    }

    // ---- Share ----

    public Task<IActionResult> SharePageAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (user, e, _) =>
        Page(await pages.RenderAsync<SharePage>(new()
        {
            [nameof(SharePage.User)] = user,
            [nameof(SharePage.Csrf)] = auth.AntiforgeryToken(user),
            [nameof(SharePage.Event)] = e,
            [nameof(SharePage.SignUpUrl)] = events.SignUpUrl(e.Id),
        })));

    public Task<IActionResult> QrCodeAsync(HttpRequest request, string eventId, string format, CancellationToken ct) => WithEvent(request, eventId, ct, (_, e, _) =>
    {
        var url = events.SignUpUrl(e.Id);
        IActionResult result = format == "svg"
            ? new FileContentResult(Encoding.UTF8.GetBytes(QrCodes.Svg(url)), "image/svg+xml")
            : new FileContentResult(QrCodes.Png(url), "image/png");
        request.HttpContext.Response.Headers.CacheControl = "private, max-age=3600";
        return Task.FromResult(result);
    });

    public Task<IActionResult> PosterAsync(HttpRequest request, string eventId, CancellationToken ct) => WithEvent(request, eventId, ct, async (_, e, _) =>
        Page(await pages.RenderAsync<PosterPage>(new()
        {
            [nameof(PosterPage.Event)] = e,
            [nameof(PosterPage.SignUpUrl)] = events.SignUpUrl(e.Id),
        })));

    // ---- Organisers (admins only) ----

    public Task<IActionResult> OrganisersPageAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, _) =>
        user.IsAdmin ? await OrganisersPageAsync(user, null, null, null, 200, ct) : await NotAdminAsync(user));

    public Task<IActionResult> SaveOrganiserAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, form) =>
    {
        if (!user.IsAdmin) return await NotAdminAsync(user);
        var values = new[] { "email", "name", "unit", "role" }.ToDictionary(k => k, k => form![k].FirstOrDefault() ?? "");
        var errors = await directory.SaveAsync(values["email"], values["name"], values["unit"], values["role"], user.Actor, ct);
        if (errors is not null) return await OrganisersPageAsync(user, values, errors, null, 400, ct);
        await audit.RecordAsync(null, user, "添加组织者 Saved an organiser", $"{values["role"]} · {Input.Clean(values["unit"])}", "OK", ct);
        return SeeOther($"{Base}/organisers?done=saved");
    }, isChange: true);

    public Task<IActionResult> RemoveOrganiserAsync(HttpRequest request, CancellationToken ct) => WithUser(request, ct, async (user, form) =>
    {
        if (!user.IsAdmin) return await NotAdminAsync(user);
        var email = form!["email"].FirstOrDefault();
        if (Input.NormaliseEmail(email) == user.Email)
            return await OrganisersPageAsync(user, null, null, "不能移除自己 You cannot remove yourself.", 400, ct);
        var removed = await directory.RemoveAsync(email, ct);
        await audit.RecordAsync(null, user, "移除组织者 Removed an organiser", "", removed ? "OK" : "NotFound", ct);
        return SeeOther($"{Base}/organisers?done=removed");
    }, isChange: true);

    /// <summary>
    /// The console's sign-in, anti-forgery and admin policy in front of another area's admin pages (see
    /// <see cref="OperationsApi"/>), so there is one policy, not a copy.
    /// </summary>
    public Task<IActionResult> AsAdminAsync(HttpRequest request, CancellationToken ct, Func<ConsoleUser, string, IFormCollection?, Task<IActionResult>> endpoint, bool isChange = false) =>
        WithUser(request, ct, async (user, form) => user.IsAdmin
            ? await endpoint(user, auth.AntiforgeryToken(user), form)
            : await MessageAsync(user, 403, "仅限管理员 Admins only", "只有街道管理员可以使用此页面。Only the street office's admins use this page."), isChange);

    // ---- Plumbing ----

    private async Task<IActionResult> EventPageAsync(ConsoleUser user, EventRecord e, string? search, string? flash, string? error, int status, CancellationToken ct)
    {
        var fresh = await events.FindAsync(e.Id, ct) ?? e;
        return Page(await pages.RenderAsync<EventDetailPage>(new()
        {
            [nameof(EventDetailPage.User)] = user,
            [nameof(EventDetailPage.Csrf)] = auth.AntiforgeryToken(user),
            [nameof(EventDetailPage.Event)] = fresh,
            [nameof(EventDetailPage.Tally)] = await queries.TallyAsync(fresh.Id, ct) ?? new EventTally(0, 0, 0, 0, 0, 0),
            [nameof(EventDetailPage.WalkIns)] = await queries.WalkInsAsync(fresh.Id, ct),
            [nameof(EventDetailPage.Attendance)] = await attendance.ReportAsync(fresh.Id, ct),
            [nameof(EventDetailPage.DoorLink)] = fresh.Cancelled ? null : doorLinks.Create(fresh),
            [nameof(EventDetailPage.Lines)] = await queries.RegistrationsAsync(fresh.Id, search, ct),
            [nameof(EventDetailPage.Now)] = clock.GetUtcNow(),
            [nameof(EventDetailPage.Audit)] = await audit.ListAsync(fresh.Id, 20, ct),
            [nameof(EventDetailPage.Search)] = search,
            [nameof(EventDetailPage.Flash)] = flash,
            [nameof(EventDetailPage.Error)] = error,
        }), status);
    }

    private async Task<IActionResult> AfterChangeAsync(HttpRequest request, ConsoleUser user, EventRecord e, EventOutcome outcome, string done, CancellationToken ct) => outcome switch
    {
        EventOutcome.Ok => SeeOther($"{Base}/events/{e.Id}?done={done}"),
        EventOutcome.Invalid invalid => await EventPageAsync(user, e, null, null, string.Join(" ", invalid.Errors.ToDictionary().Values.SelectMany(v => v).Select(EventForm.Bilingual)), 400, ct),
        EventOutcome.NotFound => await MessageAsync(user, 404, "找不到活动 Event not found", "此活动不存在。No event has this id."),
        EventOutcome.Unknown => HttpIO.Unavailable(request, await EventPageAsync(user, e, null, null, Unknown, 503, ct)),
        _ => HttpIO.Unavailable(request, await EventPageAsync(user, e, null, null, Busy, 503, ct)),
    };

    private async Task<IActionResult> FormPageAsync(ConsoleUser user, string? eventId, IReadOnlyDictionary<string, string> values, FieldErrors? errors, string? message, int status, CancellationToken ct, HttpRequest? unavailable = null)
    {
        var page = Page(await pages.RenderAsync<EventFormPage>(new()
        {
            [nameof(EventFormPage.User)] = user,
            [nameof(EventFormPage.Csrf)] = auth.AntiforgeryToken(user),
            [nameof(EventFormPage.EventId)] = eventId,
            [nameof(EventFormPage.Values)] = values,
            [nameof(EventFormPage.Errors)] = errors,
            [nameof(EventFormPage.Message)] = message,
            [nameof(EventFormPage.Units)] = user.IsAdmin ? await directory.UnitsAsync(ct) : (IReadOnlyList<string>)[user.Unit],
        }), status);
        return unavailable is null ? page : HttpIO.Unavailable(unavailable, page);
    }

    /// <summary>The draft as participants will see it (the real sign-up page), with a banner to go back or publish.</summary>
    private async Task<IActionResult> PreviewAsync(ConsoleUser user, EventRecord? existing, Dictionary<string, string> values, EventInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (draft, errors) = EventValidator.Validate(input, existing?.Id ?? "preview", now, existing);
        if (draft is null) return await FormPageAsync(user, existing?.Id, values, errors, null, 400, ct);
        var action = existing is null ? $"{Base}/events/new" : $"{Base}/events/{existing.Id}/edit";
        var save = existing is null ? "发布活动 Publish" : "保存修改 Save";
        return Page(await pages.RenderAsync<SignUpPage>(new()
        {
            [nameof(SignUpPage.Event)] = draft,
            [nameof(SignUpPage.Text)] = UiText.Chinese,
            [nameof(SignUpPage.Now)] = draft.SignUpOpensUtc > now ? draft.SignUpOpensUtc : now,
            [nameof(SignUpPage.FormAction)] = action,
            [nameof(SignUpPage.SwitchUrl)] = "#",
            [nameof(SignUpPage.Preview)] = new PreviewInfo(action, auth.AntiforgeryToken(user), values, save),
        }));
    }

    private async Task<IActionResult> OrganisersPageAsync(ConsoleUser user, IReadOnlyDictionary<string, string>? values, FieldErrors? errors, string? flash, int status, CancellationToken ct) =>
        Page(await pages.RenderAsync<OrganisersPage>(new()
        {
            [nameof(OrganisersPage.User)] = user,
            [nameof(OrganisersPage.Csrf)] = auth.AntiforgeryToken(user),
            [nameof(OrganisersPage.Organisers)] = await directory.ListAsync(ct),
            [nameof(OrganisersPage.Values)] = values ?? new Dictionary<string, string>(),
            [nameof(OrganisersPage.Errors)] = errors,
            [nameof(OrganisersPage.Flash)] = flash,
        }), status);

    private async Task<IActionResult> SignInFormAsync(string returnUrl, string? email, string? error, int status) =>
        Page(await pages.RenderAsync<SignInPage>(new()
        {
            [nameof(SignInPage.Development)] = auth.DevelopmentSignInEnabled,
            [nameof(SignInPage.DemoAdmin)] = options.Value.Console.AdminEmails.FirstOrDefault(),
            [nameof(SignInPage.ReturnUrl)] = returnUrl,
            [nameof(SignInPage.Email)] = email,
            [nameof(SignInPage.Error)] = error,
        }), status);

    private Task<IActionResult> NotAdminAsync(ConsoleUser user) =>
        MessageAsync(user, 403, "仅限管理员 Admins only", "只有街道管理员可以管理组织者。Only the street office's admins manage organisers.");

    private async Task<IActionResult> MessageAsync(ConsoleUser? user, int status, string heading, string message, string? linkUrl = null, string? linkText = null) =>
        Page(await pages.RenderAsync<ConsoleMessagePage>(new()
        {
            [nameof(ConsoleMessagePage.User)] = user,
            [nameof(ConsoleMessagePage.Csrf)] = user is null ? null : auth.AntiforgeryToken(user),
            [nameof(ConsoleMessagePage.Heading)] = heading,
            [nameof(ConsoleMessagePage.Message)] = message,
            [nameof(ConsoleMessagePage.LinkUrl)] = linkUrl,
            [nameof(ConsoleMessagePage.LinkText)] = linkText,
        }), status);

    /// <summary>
    /// Runs a console endpoint for a signed-in organiser or admin. Anonymous: a page (GET: a redirect) to sign in;
    /// not an organiser: 403; a principal header nobody vouches for: 400. A change (POST) must carry the person's
    /// anti-forgery token and come from this site.
    /// </summary>
    private Task<IActionResult> WithUser(HttpRequest request, CancellationToken ct, Func<ConsoleUser, IFormCollection?, Task<IActionResult>> endpoint, bool isChange = false) =>
        Guard(request, async () =>
        {
            var state = await auth.IdentifyAsync(request, ct);
            switch (state)
            {
                case SignInState.ForgedPrincipal:
                    log.LogWarning("Console: refused a request carrying {Header} while platform authentication is off", ConsoleAuth.PrincipalHeader);
                    return await MessageAsync(null, 400, "请求被拒绝 Request refused", $"此部署不接受 {ConsoleAuth.PrincipalHeader} 请求头。This deployment does not accept the {ConsoleAuth.PrincipalHeader} header.");
                case SignInState.Anonymous:
                    var signIn = $"{Base}/signin?returnUrl={Uri.EscapeDataString(request.Method == "GET" ? request.Path + request.QueryString : Base)}";
                    if (request.Method == "GET") return new RedirectResult(signIn);
                    return await MessageAsync(null, 401, "请先登录 Please sign in", "登录后才能使用管理后台。Sign in to use the console.", signIn, "登录 Sign in");
                case SignInState.NotOrganiser:
                    return await MessageAsync(null, 403, "没有权限 Not an organiser", "您已登录，但还不是组织者：请街道管理员添加您的邮箱和单位。You are signed in but not an organiser: ask the street office to add your email and unit.");
            }

            var user = ((SignInState.Known)state).User;
            IFormCollection? form = null;
            if (isChange)
            {
                var read = await ReadFormAsync(request, ct);
                if (read.Error is not null) return read.Error;
                form = read.Value;
                if (!auth.IsSameSiteRequest(request, user, form!["_csrf"].FirstOrDefault()))
                {
                    log.LogWarning("Console: refused a {Method} to {Path} without a valid anti-forgery token", request.Method, request.Path);
                    return await MessageAsync(user, 403, "页面已过期 This page has expired", "请返回、刷新页面后再试一次。Go back, reload the page and try again.", Base, "返回 Back");
                }
            }
            return await endpoint(user, form);
        });

    private Task<IActionResult> WithEvent(HttpRequest request, string eventId, CancellationToken ct, Func<ConsoleUser, EventRecord, IFormCollection?, Task<IActionResult>> endpoint, bool isChange = false) =>
        WithUser(request, ct, async (user, form) =>
        {
            var e = await events.FindAsync(eventId, ct);
            if (e is null) return await MessageAsync(user, 404, "找不到活动 Event not found", "此活动不存在。No event has this id.", Base, "全部活动 All events");
            if (!user.CanManage(e))
            {
                log.LogWarning("Console: refused event {EventId} to an organiser of another unit", e.Id);
                return await MessageAsync(user, 403, "没有权限 Not your unit's event", "此活动属于其他单位，您不能查看或修改。This event belongs to another unit.", Base, "全部活动 All events");
            }
            return await endpoint(user, e, form);
        }, isChange);

    private async Task<HttpIO.Read<IFormCollection>> ReadFormAsync(HttpRequest request, CancellationToken ct) =>
        await HttpIO.ReadFormAsync(request, UiText.Chinese, pages, ct);

    private Task<IActionResult> Guard(HttpRequest request, Func<Task<IActionResult>> endpoint) =>
        HttpIO.GuardAsync(request, log, endpoint, () => HttpIO.Html(UnavailableHtml, 503));

    private const string UnavailableHtml =
        "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>暂时无法访问 Unavailable</title>" +
        "<p>存储暂时无法访问，什么都没有改动：请稍后再试。Storage is unavailable and nothing was changed: try again in a few seconds.</p></html>";

    private const string Busy = "存储繁忙或不可用，什么都没有改动：请稍后再试。Storage is busy or unavailable; nothing was changed. Try again in a few seconds.";
    private const string Unknown = "存储没有确认这次修改是否完成：请刷新页面查看，再决定是否重试。Storage did not confirm whether the change was made: reload to see, then try again if needed.";

    private static string UnitFor(ConsoleUser user, IReadOnlyDictionary<string, string> values, string? current = null) =>
        user.IsAdmin ? (values.TryGetValue("unit", out var u) && !string.IsNullOrWhiteSpace(u) ? u : current ?? user.Unit) : current ?? user.Unit;

    private static string Changes(EventRecord before, EventOutcome outcome)
    {
        if (outcome is not EventOutcome.Ok { Event: var after }) return "";
        var changed = new List<string>();
        if (before.Title != after.Title) changed.Add("title");
        if (before.Capacity != after.Capacity) changed.Add($"capacity {before.Capacity}→{after.Capacity}");
        if (before.ToLocal(before.StartUtc) != after.Start || before.ToLocal(before.EndUtc) != after.End) changed.Add("time");
        if (before.Venue != after.Venue || before.Address != after.Address) changed.Add("place");
        if (before.Unit != after.Unit) changed.Add($"unit {before.Unit}→{after.Unit}");
        return changed.Count == 0 ? "details" : string.Join(", ", changed);
    }

    private static IActionResult Page(string html, int status = 200) =>
        new HtmlPageResult { Content = html, ContentType = "text/html; charset=utf-8", StatusCode = status, ImagesFromSelf = true };

    /// <summary>After a change, the browser loads the result with GET (a reload never repeats the change).</summary>
    private static IActionResult SeeOther(string url) => new SeeOtherResult(url);

    private static string SafeReturnUrl(string? url) =>
        url is { Length: > 0 and < 500 } && url.StartsWith(Base, StringComparison.Ordinal) && !url.Contains("//") && !url.Contains('\\') ? url : Base;

    private sealed class SeeOtherResult(string url) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.HttpContext.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}
