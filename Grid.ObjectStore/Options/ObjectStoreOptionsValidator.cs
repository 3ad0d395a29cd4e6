using Microsoft.Extensions.Options;

namespace Grid.ObjectStore;

/// <summary>Checks <see cref="ObjectStoreOptions"/> when the host starts (<c>ValidateOnStart</c>), so a bad setting stops the node before it joins a cluster.</summary>
internal sealed class ObjectStoreOptionsValidator : IValidateOptions<ObjectStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, ObjectStoreOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
