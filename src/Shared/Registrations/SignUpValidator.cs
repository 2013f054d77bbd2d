using EventFunctions.Shared.Events;
using EventFunctions.Shared.Text;
using PhoneNumbers;

namespace EventFunctions.Shared.Registrations;

/// <summary>Checks a sign-up against what its event asks for; every message is the participant's language.</summary>
public static class SignUpValidator
{
    public const int MaxName = 50;
    public const int MaxOrganisation = 100;
    public const int MaxAnswer = 500;

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static (ValidSignUp? SignUp, FieldErrors Errors) Validate(EventRecord e, SignUpInput input, UiText text)
    {
        var errors = new FieldErrors();
        var policy = e.Fields;

        var name = Input.Clean(input.Name);
        if (name is null) errors.Add("name", text.NameRequired);
        else if (Input.Length(name) > MaxName) errors.Add("name", string.Format(text.TooLongFormat, MaxName));
        else if (Input.HasControlCharacters(name)) errors.Add("name", text.ControlCharacters);
        else if (name.IndexOfAny(['<', '>', '{', '}', '"', '\\']) >= 0) errors.Add("name", text.NameInvalid);

        var email = Input.Clean(input.Email);
        var normalisedEmail = Input.NormaliseEmail(email);
        if (email is null) errors.Add("email", text.EmailRequired);
        else if (Input.HasNonAsciiLocalPart(email)) errors.Add("email", text.EmailNonAsciiLocalPart);
        else if (normalisedEmail is null) errors.Add("email", text.EmailInvalid);

        string? phone = null;
        if (policy.AsksPhone)
        {
            var raw = Input.Clean(input.Phone);
            if (raw is null)
            {
                if (policy.PhoneRequired) errors.Add("phone", text.PhoneRequired);
            }
            else if ((phone = NormalisePhone(raw)) is null)
            {
                errors.Add("phone", text.PhoneInvalid);
            }
        }

        string? organisation = Input.Clean(input.Organisation);
        if (organisation is null)
        {
            if (policy.OrganisationRequired) errors.Add("organisation", text.OrganisationRequired);
        }
        else if (Input.Length(organisation) > MaxOrganisation) errors.Add("organisation", string.Format(text.TooLongFormat, MaxOrganisation));
        else if (Input.HasControlCharacters(organisation)) errors.Add("organisation", text.ControlCharacters);

        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var q in e.Questions)
        {
            var field = $"answers.{q.Id}";
            string? given = null;
            input.Answers?.TryGetValue(q.Id, out given);
            var answer = Input.Clean(given);
            if (answer is null)
            {
                if (q.Required) errors.Add(field, text.AnswerRequired);
                continue;
            }

            switch (q.Type)
            {
                case QuestionType.Choice when !q.Options.Contains(answer):
                    errors.Add(field, text.ChoiceInvalid);
                    break;
                case QuestionType.YesNo when answer is not ("yes" or "no"):
                    errors.Add(field, text.YesNoInvalid);
                    break;
                case QuestionType.Text when Input.Length(answer) > MaxAnswer:
                    errors.Add(field, string.Format(text.TooLongFormat, MaxAnswer));
                    break;
                case QuestionType.Text when Input.HasControlCharacters(answer, multiline: true):
                    errors.Add(field, text.ControlCharacters);
                    break;
                default:
                    answers[q.Id] = answer;
                    break;
            }
        }

        var security = new List<string>();
        for (var i = 0; i < policy.SecurityFields.Count; i++)
        {
            var field = $"securityDetails[{i}]";
            var value = Input.Clean(input.SecurityDetails is { } list && i < list.Count ? list[i] : null);
            if (value is null)
            {
                if (policy.SecurityFieldRequired(i)) errors.Add(field, text.AnswerRequired);
                else security.Add(""); // left empty, as allowed: the list stays in the event's order
            }
            else if (Input.Length(value) > 100) errors.Add(field, string.Format(text.TooLongFormat, 100));
            else if (Input.HasControlCharacters(value)) errors.Add(field, text.ControlCharacters);
            else security.Add(value);
        }

        if (!input.Consent) errors.Add("consent", text.ConsentRequired);

        if (errors.Any) return (null, errors);
        return (new ValidSignUp(name!, phone, normalisedEmail!, organisation, answers, security, text.Code), errors);
    }

    /// <summary>A mobile number in E.164 (+8613812345678), or null. Mainland numbers may omit +86.</summary>
    public static string? NormalisePhone(string raw)
    {
        if (raw.Length > 30) return null;
        try
        {
            var number = Phones.Parse(raw, "CN");
            if (!Phones.IsValidNumber(number)) return null;
            var type = Phones.GetNumberType(number);
            if (type is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE)) return null;
            return Phones.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException)
        {
            return null;
        }
    }
}
