using System.Globalization;
using System.Text.RegularExpressions;

using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Events;

/// <summary>Turns an organiser's <see cref="EventInput"/> into an <see cref="EventRecord"/>, or names every bad field.</summary>
public static partial class EventValidator
{
    public const string DefaultTimeZone = "Asia/Shanghai";
    public const int MaxCapacity = 100_000;
    public const int MaxQuestions = 20;

    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    /// <summary>An ISO 8601 date and time to the minute, second or fraction, with or without an offset (Z, +08:00, +0800).</summary>
    [GeneratedRegex(@"^(?<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)(?<offset>[Zz]|(?<sign>[+-])(?<hours>\d{2}):?(?<minutes>\d{2}))?$")]
    private static partial Regex IsoTime();

    /// <summary>The owning unit of an event whose creator named none: the street office itself.</summary>
    public const string DefaultUnit = "街道办";

    public static (EventRecord? Event, FieldErrors Errors) Validate(EventInput input, string id, DateTimeOffset now, EventRecord? existing = null)
    {
        var errors = new FieldErrors();

        var kind = ParseKind(input.Kind, errors);
        var title = Text(input.Title, "title", 200, required: true, errors);
        var description = Text(input.Description, "description", 4000, required: false, errors, multiline: true);
        var venue = Text(input.Venue, "venue", 200, required: false, errors);
        var address = Text(input.Address, "address", 300, required: false, errors);
        var organiserName = Text(input.OrganiserName, "organiserName", 100, required: true, errors);
        var organiserEmail = Input.NormaliseEmail(input.OrganiserEmail);
        var unit = Text(input.Unit, "unit", 50, required: false, errors) ?? existing?.Unit ?? DefaultUnit;
        if (organiserEmail is null) errors.Add("organiserEmail", EventRuleText.ContactEmail);

        var zoneId = Input.Clean(input.TimeZone) ?? DefaultTimeZone;
        TimeZoneInfo? zone = null;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add("timeZone", EventRuleText.UnknownTimeZone(zoneId));
        }

        var start = LocalTime(input.Start, "start", zone, required: true, errors);
        var end = LocalTime(input.End, "end", zone, required: true, errors);
        if (start is { } s && end is { } e && e <= s) errors.Add("end", EventRuleText.EndBeforeStart);

        var opens = LocalTime(input.SignUpOpens, "signUpOpens", zone, required: false, errors) ?? existing?.SignUpOpensUtc ?? now;
        var closesGiven = LocalTime(input.SignUpCloses, "signUpCloses", zone, required: false, errors);
        var closes = closesGiven ?? start;
        if (closes is { } c && opens >= c)
        {
            // Left empty, the deadline is the start: then it is the start that comes too early (often: it has passed).
            if (closesGiven is null) errors.Add("start", EventRuleText.StartBeforeSignUpOpens);
            else errors.Add("signUpCloses", EventRuleText.ClosesBeforeOpens);
        }
        if (closes is { } c2 && start is { } s2 && c2 > s2) errors.Add("signUpCloses", EventRuleText.ClosesAfterStart);

        // An invitation event's seats are set with its units (the form shows them, read-only).
        var capacity = existing?.Invitation is not null ? existing.Capacity : input.Capacity ?? 0;
        if (Ledger.SeatRules.CapacityError(capacity, existing?.Confirmed ?? 0) is { } capacityError)
        {
            errors.Add("capacity", capacityError);
            if (input.Capacity is null || capacity < 1 || capacity > MaxCapacity) capacity = 0;
        }

        var waitlistLimit = 0;
        if (input.WaitlistAllowed == true)
        {
            waitlistLimit = input.WaitlistLimit ?? EventRecord.DefaultWaitlistLimit(capacity);
            if (waitlistLimit < 1 || waitlistLimit > MaxCapacity) errors.Add("waitlistLimit", EventRuleText.WaitlistLimit(MaxCapacity));
        }

        SalonDetails? salon = null;
        SiteVisitDetails? siteVisit = null;
        LectureDetails? lecture = null;
        VolunteeringDetails? volunteering = null;
        switch (kind)
        {
            case EventKind.Salon:
                var host = Text(input.Salon?.HostOrganisation, "salon.hostOrganisation", 200, required: true, errors);
                salon = new SalonDetails(host,
                    Text(input.Salon?.Topic, "salon.topic", 200, required: false, errors),
                    Text(input.Salon?.Speaker, "salon.speaker", 200, required: false, errors));
                if (venue is null) errors.Add("venue", EventRuleText.SalonVenue);
                break;
            case EventKind.SiteVisit:
                var meetingPoint = Text(input.SiteVisit?.MeetingPoint, "siteVisit.meetingPoint", 200, required: true, errors);
                var meetingTime = LocalTime(input.SiteVisit?.MeetingTime, "siteVisit.meetingTime", zone, required: true, errors);
                if (meetingTime is { } m && start is { } s3 && (m > s3 || m < s3.AddHours(-6)))
                    errors.Add("siteVisit.meetingTime", EventRuleText.MeetingTime);
                var fields = new List<string>();
                foreach (var (label, i) in (input.SiteVisit?.SecurityFields ?? []).Select((l, i) => (l, i)))
                {
                    var clean = Text(label, $"siteVisit.securityFields[{i}]", 50, required: true, errors);
                    if (clean is not null) fields.Add(clean);
                }
                if (fields.Count > 5) errors.Add("siteVisit.securityFields", EventRuleText.SecurityFields);
                var optional = (input.SiteVisit?.OptionalSecurityFields ?? []).Select(Input.Clean).OfType<string>().Distinct().ToList();
                foreach (var label in optional.Where(o => !fields.Contains(o)))
                    errors.Add("siteVisit.optionalSecurityFields", EventRuleText.OptionalNotAField(label));
                if (meetingPoint is not null && meetingTime is { } mt) siteVisit = new SiteVisitDetails(meetingPoint, mt, fields) { OptionalSecurityFields = optional };
                break;
            case EventKind.Lecture:
                var url = Input.Clean(input.Lecture?.OnlineUrl);
                if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http") || url.Length > 500))
                    errors.Add("lecture.onlineUrl", EventRuleText.OnlineUrl);
                if (url is null && venue is null) errors.Add("venue", EventRuleText.LectureVenue);
                lecture = new LectureDetails(Text(input.Lecture?.Speaker, "lecture.speaker", 200, required: false, errors), url);
                break;
            case EventKind.Volunteering:
                volunteering = new VolunteeringDetails(
                    Text(input.Volunteering?.Team, "volunteering.team", 100, required: true, errors),
                    Text(input.Volunteering?.Activity, "volunteering.activity", 100, required: false, errors));
                if (venue is null) errors.Add("venue", EventRuleText.VolunteeringVenue);
                break;
        }

        var questions = Questions(input.Questions, errors);
        var english = English(input.English, kind, errors);
        var bring = kind == EventKind.SiteVisit ? Text(input.SiteVisit?.Bring, "siteVisit.bring", 200, required: false, errors) : null;
        if (siteVisit is not null) siteVisit = siteVisit with { Bring = bring };
        var offerHours = input.OfferHoursBefore ?? existing?.OfferHoursBefore ?? 0;
        if (offerHours is < 0 or > Notifications.NoticeState.MaxReminderHours)
            errors.Add("offerHoursBefore", EventRuleText.ReminderHours(Notifications.NoticeState.MaxReminderHours));
        var reconfirmHours = input.ReconfirmHoursBefore ?? existing?.ReconfirmHoursBefore ?? 0;
        var reconfirmDeadline = input.ReconfirmDeadlineHoursBefore ?? existing?.ReconfirmDeadlineHoursBefore ?? EventRecord.DefaultReconfirmDeadlineHours;
        if (reconfirmHours is < 0 or > Notifications.NoticeState.MaxReminderHours)
            errors.Add("reconfirmHoursBefore", EventRuleText.ReminderHours(Notifications.NoticeState.MaxReminderHours));
        if (reconfirmHours > 0 && (reconfirmDeadline < 1 || reconfirmDeadline >= reconfirmHours))
            errors.Add("reconfirmDeadlineHoursBefore", EventRuleText.ReconfirmDeadline);
        var lottery = LotteryOf(input, existing, opens, closes, start, zone, now, errors);
        var reminderHours = input.ReminderHoursBefore ?? existing?.ReminderHoursBefore ?? Notifications.NoticeState.DefaultReminderHours;
        if (reminderHours is < 0 or > Notifications.NoticeState.MaxReminderHours)
            errors.Add("reminderHoursBefore", EventRuleText.ReminderHours(Notifications.NoticeState.MaxReminderHours));

        if (errors.Any || kind is null || start is null || end is null || closes is null || title is null || organiserName is null || organiserEmail is null)
        {
            return (null, errors);
        }

        return (new EventRecord
        {
            Id = id,
            Kind = kind.Value,
            Title = title,
            Description = description,
            Venue = venue,
            Address = address,
            StartUtc = start.Value,
            EndUtc = end.Value,
            TimeZoneId = zoneId,
            // An invitation event's seats are its units' and its pool's (set on its invitation page, not here).
            Capacity = existing?.Invitation is not null ? existing.Capacity : capacity,
            Invitation = existing?.Invitation,
            UnitUsed = existing?.UnitUsed ?? Invitation.NoneUsed,
            WaitlistAllowed = input.WaitlistAllowed ?? false,
            WaitlistLimit = waitlistLimit,
            // An event that needs approval does not also ask for the email to be confirmed: the organiser's check is the human one.
            ConfirmEmail = !(input.RequiresApproval ?? existing?.RequiresApproval ?? false) && (input.ConfirmEmail ?? existing?.ConfirmEmail ?? true),
            RequiresApproval = input.RequiresApproval ?? existing?.RequiresApproval ?? false,
            Pending = existing?.Pending ?? 0,
            SignUpOpensUtc = opens,
            SignUpClosesUtc = closes.Value,
            OrganiserName = organiserName,
            OrganiserEmail = organiserEmail,
            Unit = unit,
            Salon = salon,
            SiteVisit = siteVisit,
            Lecture = lecture,
            Volunteering = volunteering,
            Questions = questions,
            Confirmed = existing?.Confirmed ?? 0,
            Waitlisted = existing?.Waitlisted ?? 0,
            Held = existing?.Held ?? 0,
            Unconfirmed = existing?.Unconfirmed ?? 0,
            CreatedUtc = existing?.CreatedUtc ?? now,
            // A cancelled event stays cancelled through an edit; its notice state is carried by NoticeState.Record.
            Cancelled = existing?.Cancelled ?? false,
            English = english,
            ReminderHoursBefore = reminderHours,
            CalendarSequence = existing?.CalendarSequence ?? 0,
            NoticeVersion = existing?.NoticeVersion ?? 0,
            NoticeHistory = existing?.NoticeHistory ?? [],
            DoorLinksRevokedUtc = existing?.DoorLinksRevokedUtc,
            SeriesId = existing?.SeriesId,
            OfferHoursBefore = offerHours,
            ReconfirmHoursBefore = reconfirmHours,
            ReconfirmDeadlineHoursBefore = reconfirmDeadline,
            Lottery = lottery,
            Entries = existing?.Entries ?? 0,
        }, errors);
    }

    /// <summary>
    /// The lottery window (see <see cref="Admission.Lottery"/>): omitted, the event's own stays; empty, none. Its draw
    /// time falls after sign-up opens, no later than it closes and before the start; once the draw has started nothing
    /// of it changes; it cannot be removed while people have entered, nor added once people have signed up first come.
    /// </summary>
    private static Admission.Lottery? LotteryOf(EventInput input, EventRecord? existing, DateTimeOffset opens, DateTimeOffset? closes, DateTimeOffset? start,
        TimeZoneInfo? zone, DateTimeOffset now, FieldErrors errors)
    {
        var had = existing?.Lottery;
        if (input.LotteryDraw is null)
        {
            return had is { DrawStartedUtc: null } && input.LotteryNoShowsLast is { } last ? had with { NoShowsLast = last } : had;
        }

        var draw = string.IsNullOrWhiteSpace(input.LotteryDraw) ? null : LocalTime(input.LotteryDraw, "lotteryDraw", zone, required: false, errors);
        if (had is { DrawStartedUtc: not null })
        {
            if (draw != had.DrawUtc || input.LotteryNoShowsLast is { } l && l != had.NoShowsLast) errors.Add("lotteryDraw", EventRuleText.LotteryStarted);
            return had;
        }

        if (draw is null)
        {
            if ((existing?.Entries ?? 0) > 0) errors.Add("lotteryDraw", EventRuleText.LotteryHasEntries);
            return null;
        }

        if (draw <= opens || closes is { } c && draw > c || start is { } s && draw >= s) errors.Add("lotteryDraw", EventRuleText.LotteryDrawTime);
        else if (draw <= now && draw != had?.DrawUtc) errors.Add("lotteryDraw", EventRuleText.LotteryDrawPast);
        if (had is null && existing is { } e && e.Confirmed + e.Waitlisted + e.Pending > 0) errors.Add("lotteryDraw", EventRuleText.LotteryAfterSignUps);
        if (existing?.Invitation is not null || input.RequiresApproval == true || input.RequiresApproval is null && existing?.RequiresApproval == true)
            errors.Add("lotteryDraw", EventRuleText.LotteryNotWith);
        return new Admission.Lottery(draw.Value) { NoShowsLast = input.LotteryNoShowsLast ?? had?.NoShowsLast ?? false };
    }

    /// <summary>The optional English text: the same limits as the Chinese; all empty means none.</summary>
    private static EventEnglish? English(EventEnglish? input, EventKind? kind, FieldErrors errors)
    {
        if (input is null) return null;
        var english = new EventEnglish(
            Text(input.Title, "english.title", 200, required: false, errors),
            Text(input.Description, "english.description", 4000, required: false, errors, multiline: true),
            Text(input.Venue, "english.venue", 200, required: false, errors),
            Text(input.Address, "english.address", 300, required: false, errors),
            kind == EventKind.SiteVisit ? Text(input.MeetingPoint, "english.meetingPoint", 200, required: false, errors) : null,
            kind == EventKind.Salon ? Text(input.Topic, "english.topic", 200, required: false, errors) : null)
        {
            Bring = kind == EventKind.SiteVisit ? Text(input.Bring, "english.bring", 200, required: false, errors) : null,
        };
        return english is { Title: null, Description: null, Venue: null, Address: null, MeetingPoint: null, Topic: null, Bring: null } ? null : english;
    }

    private static EventKind? ParseKind(string? value, FieldErrors errors)
    {
        var v = Input.Clean(value)?.Replace("_", "").Replace("-", "");
        if (v is not null && Enum.TryParse<EventKind>(v, ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !int.TryParse(v, out _))
        {
            return kind;
        }

        errors.Add("kind", EventRuleText.Kind);
        return null;
    }

    private static string? Text(string? value, string field, int max, bool required, FieldErrors errors, bool multiline = false)
    {
        var clean = Input.Clean(value);
        if (clean is null)
        {
            if (required) errors.Add(field, EventRuleText.Required(field));
            return null;
        }

        if (Input.Length(clean) > max) errors.Add(field, EventRuleText.TooLong(field, max));
        else if (Input.HasControlCharacters(clean, multiline)) errors.Add(field, EventRuleText.ControlCharacters(field));
        return clean;
    }

    internal static DateTimeOffset? LocalTime(string? value, string field, TimeZoneInfo? zone, bool required, FieldErrors errors)
    {
        var clean = Input.Clean(value);
        if (clean is null)
        {
            if (required) errors.Add(field, EventRuleText.TimeRequired(field));
            return null;
        }

        // The local part is parsed on its own (as an unspecified time), so neither the server's zone (UTC on
        // Azure) nor the parser's guesses ever apply: no offset means the event's zone, an offset means itself.
        var match = IsoTime().Match(clean);
        if (match.Success && DateTime.TryParseExact(match.Groups["local"].Value, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            if (match.Groups["offset"].Success)
            {
                var offset = match.Groups["sign"].Success
                    ? new TimeSpan(int.Parse(match.Groups["hours"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["minutes"].Value, CultureInfo.InvariantCulture), 0)
                    : TimeSpan.Zero;
                if (match.Groups["sign"].Value == "-") offset = -offset;
                if (offset.Duration() <= TimeSpan.FromHours(14) && offset.Minutes % 15 == 0)
                {
                    return new DateTimeOffset(local, offset).ToUniversalTime();
                }

                errors.Add(field, EventRuleText.NoSuchOffset(clean));
                return null;
            }

            if (zone is null) return null;
            if (zone.IsInvalidTime(local))
            {
                errors.Add(field, EventRuleText.InDaylightSavingGap(clean, zone.Id));
                return null;
            }

            return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
        }

        errors.Add(field, EventRuleText.NotATime(field));
        return null;
    }

    private static List<Question> Questions(List<QuestionInput>? inputs, FieldErrors errors)
    {
        var result = new List<Question>();
        if (inputs is null) return result;
        if (inputs.Count > MaxQuestions)
        {
            errors.Add("questions", EventRuleText.TooManyQuestions(MaxQuestions));
            return result;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var q = inputs[i];
            var prefix = $"questions[{i}]";
            var label = Text(q.Label, $"{prefix}.label", 200, required: true, errors);
            var id = Input.Clean(q.Id) ?? $"q{i + 1}";
            if (id.Length > 40 || !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-'))
                errors.Add($"{prefix}.id", EventRuleText.QuestionId);
            else if (!ids.Add(id))
                errors.Add($"{prefix}.id", EventRuleText.QuestionIdTwice(id));

            var typeText = Input.Clean(q.Type)?.Replace("_", "").Replace("-", "");
            if (typeText is null || !Enum.TryParse<QuestionType>(typeText, ignoreCase: true, out var type) || int.TryParse(typeText, out _))
            {
                errors.Add($"{prefix}.type", EventRuleText.QuestionType);
                continue;
            }

            var options = new List<string>();
            if (type == QuestionType.Choice)
            {
                foreach (var (o, j) in (q.Options ?? []).Select((o, j) => (o, j)))
                {
                    var clean = Text(o, $"{prefix}.options[{j}]", 100, required: true, errors);
                    if (clean is not null) options.Add(clean);
                }

                if (options.Count < 2 || options.Count > 20) errors.Add($"{prefix}.options", EventRuleText.ChoiceOptions);
                else if (options.Distinct().Count() != options.Count) errors.Add($"{prefix}.options", EventRuleText.OptionsDiffer);
            }

            if (label is not null) result.Add(new Question(id, label, type, options, q.Required));
        }

        return result;
    }
}
