global using Grid.Silo;
global using Orleans;
global using Orleans.Runtime;
