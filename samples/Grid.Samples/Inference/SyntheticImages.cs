namespace Grid.Samples.Inference;

/// <summary>
/// S17's pictures, made here rather than downloaded: image i of a seed is a noisy gradient with a filled disc or
/// square of a random colour on it, RGB in [0, 1], channel-major (3 × size × size). The same (seed, index, size)
/// always gives the same pixels: .NET's seeded <see cref="Random"/> is the only source of randomness.
/// </summary>
public static class SyntheticImages
{
    public static float[] Rgb(int seed, int index, int size)
    {
        // Not HashCode.Combine: it is salted per process, and the pixels must not depend on the process.
        var random = new Random(unchecked(seed * 1_000_003 + index * 7_919 + size));
        var pixels = new float[3 * size * size];
        Span<float> colour = [random.NextSingle(), random.NextSingle(), random.NextSingle()];
        bool disc = random.Next(2) == 0;
        float cx = size * (0.25f + 0.5f * random.NextSingle()), cy = size * (0.25f + 0.5f * random.NextSingle());
        float radius = size * (0.1f + 0.2f * random.NextSingle());
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                bool inside = disc
                    ? (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius
                    : Math.Abs(x - cx) <= radius && Math.Abs(y - cy) <= radius;
                float background = 0.5f * (x + y) / (2f * size);
                for (int c = 0; c < 3; c++)
                {
                    float noise = 0.1f * (random.NextSingle() - 0.5f);
                    pixels[(c * size + y) * size + x] = Math.Clamp((inside ? colour[c] : background) + noise, 0f, 1f);
                }
            }
        }
        return pixels;
    }
}
