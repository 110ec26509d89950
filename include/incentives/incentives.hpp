// The umbrella header: everything in the incentives core.
#pragma once

#include <incentives/allocation.hpp>
#include <incentives/currency.hpp>
#include <incentives/decimal.hpp>
#include <incentives/errors.hpp>
#include <incentives/money.hpp>
#include <incentives/rounding.hpp>
#include <incentives/calendar.hpp>
#include <incentives/model.hpp>
#include <incentives/program.hpp>
#include <incentives/engine/engine.hpp>
#include <incentives/engine/ledger.hpp>
#include <incentives/engine/points.hpp>
