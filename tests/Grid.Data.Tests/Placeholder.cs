namespace Grid.Data.Tests;
